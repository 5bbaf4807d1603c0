import { createSubgraphBuilder } from '../../kit';
import type { ReviewsContext } from '../context';

export const builder = createSubgraphBuilder<ReviewsContext>();
