import { createSubgraphBuilder } from '../../framework';
import type { CatalogContext } from '../context';

export const builder = createSubgraphBuilder<CatalogContext>();
