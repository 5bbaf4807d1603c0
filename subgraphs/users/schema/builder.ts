import { createSubgraphBuilder } from '../../framework';
import type { UsersContext } from '../context';

export const builder = createSubgraphBuilder<UsersContext>();
