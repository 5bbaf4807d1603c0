import { createSubgraphBuilder } from '../../framework';
import type { OffersContext } from '../context';

export const builder = createSubgraphBuilder<OffersContext>();
