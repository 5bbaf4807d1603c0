import { definePageInfo, defineConnection, isId } from '../../framework';
import type { Photo as PhotoShape } from '../db/schema';
import { offerById } from '../loaders';
import { builder } from './builder';
import { Model, Offer, User } from './refs';

export const Currency = builder.enumType('Currency', { values: ['RUB', 'USD', 'EUR'] as const });
export const OfferStatus = builder.enumType('OfferStatus', { values: ['ACTIVE', 'SOLD', 'ARCHIVED'] as const });
export const OfferOrder = builder.enumType('OfferOrder', {
  values: ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'MILEAGE_ASC'] as const,
});

const Photo = builder.objectRef<PhotoShape>('Photo').implement({
  fields: (t) => ({ url: t.exposeString('url'), width: t.exposeInt('width'), height: t.exposeInt('height') }),
});

Offer.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    price: t.exposeInt('price', { description: 'Minor units (kopecks, cents) of `currency`.' }),
    currency: t.field({ type: Currency, resolve: (offer) => offer.currency }),
    year: t.exposeInt('year'),
    mileageKm: t.exposeInt('mileageKm'),
    city: t.exposeString('city'),
    status: t.field({ type: OfferStatus, resolve: (offer) => offer.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (offer) => offer.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (offer) => offer.updatedAt }),
    model: t.field({ type: Model, resolve: (offer) => ({ id: offer.modelId }) }),
    seller: t.field({ type: User, resolve: (offer) => ({ id: offer.sellerId }) }),
    photos: t.field({ type: [Photo], resolve: (offer) => offer.photos }),
  }),
});

builder.asEntity(Offer, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? offerById(ctx).load(ref.id.toLowerCase()) : null),
});

const PageInfo = definePageInfo(builder);
export const OfferConnection = defineConnection(builder, 'Offer', Offer, PageInfo);
