import { createSubgraphBuilder } from '../../framework';
import type { ReviewsContext } from '../context';

export const builder = createSubgraphBuilder<ReviewsContext>();
