import { createSubgraphBuilder } from '../../kit';
import type { CatalogContext } from '../context';

export const builder = createSubgraphBuilder<CatalogContext>();
