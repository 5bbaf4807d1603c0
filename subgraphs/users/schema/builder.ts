import { createSubgraphBuilder } from '../../kit';
import type { UsersContext } from '../context';

export const builder = createSubgraphBuilder<UsersContext>();
