import { createSubgraphBuilder } from '../../framework';
import type { SearchContext } from '../context';

export const builder = createSubgraphBuilder<SearchContext>();
