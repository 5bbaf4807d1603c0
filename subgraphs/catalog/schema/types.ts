import { isId } from '../../framework';
import type { GenerationRow, MakeRow, ModelRow } from '../db/schema';
import { generationById, generationsByModel, makeById, modelById, modelsByMake } from '../loaders';
import { builder } from './builder';

export const BodyType = builder.enumType('BodyType', {
  values: [
    'SEDAN',
    'HATCHBACK',
    'LIFTBACK',
    'WAGON',
    'SUV',
    'COUPE',
    'CONVERTIBLE',
    'PICKUP',
    'VAN',
    'MINIVAN',
  ] as const,
});

export const Make = builder.objectRef<MakeRow>('Make');
export const Model = builder.objectRef<ModelRow>('Model');
const Generation = builder.objectRef<GenerationRow>('Generation');

Make.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    country: t.exposeString('country'),
    models: t.field({ type: [Model], resolve: (make, _args, ctx) => modelsByMake(ctx).load(make.id) }),
  }),
});

Model.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    bodyType: t.field({ type: BodyType, resolve: (model) => model.bodyType }),
    make: t.field({
      type: Make,
      resolve: async (model, _args, ctx) => (await makeById(ctx).load(model.makeId))!,
    }),
    generations: t.field({
      type: [Generation],
      resolve: (model, _args, ctx) => generationsByModel(ctx).load(model.id),
    }),
  }),
});

Generation.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    yearFrom: t.exposeInt('yearFrom'),
    yearTo: t.exposeInt('yearTo', { nullable: true }),
    model: t.field({
      type: Model,
      resolve: async (generation, _args, ctx) => (await modelById(ctx).load(generation.modelId))!,
    }),
  }),
});

// Entities resolve in batches: the gateway's `_entities` call for N models is one SQL statement.
// UUIDs are case-insensitive but PostgreSQL returns them lower-case, and loaders match on the text.
builder.asEntity(Make, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? makeById(ctx).load(ref.id.toLowerCase()) : null),
});
builder.asEntity(Model, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? modelById(ctx).load(ref.id.toLowerCase()) : null),
});
builder.asEntity(Generation, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? generationById(ctx).load(ref.id.toLowerCase()) : null),
});
