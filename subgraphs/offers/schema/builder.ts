import { createSubgraphBuilder } from '../../kit';
import type { OffersContext } from '../context';

export const builder = createSubgraphBuilder<OffersContext>();
