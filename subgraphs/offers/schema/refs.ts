import type { OfferRow } from '../db/schema';
import { builder } from './builder';

/**
 * Entity refs, declared apart from their fields so the files that implement them can refer to
 * each other without import cycles. Model and User belong to other subgraphs: here they are
 * keys we extend with their offers.
 */
export const Offer = builder.objectRef<OfferRow>('Offer');
export const Model = builder.externalRef('Model', builder.selection<{ id: string }>('id'));
export const User = builder.externalRef('User', builder.selection<{ id: string }>('id'));
