import { createSubgraphBuilder } from '../../kit';
import type { SearchContext } from '../context';

export const builder = createSubgraphBuilder<SearchContext>();
