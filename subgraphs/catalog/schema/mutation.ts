import { updateMake, updateModel } from '../writes';
import { builder } from './builder';
import { BodyType, Make, Model } from './types';

const UpdateMakeInput = builder.inputType('UpdateMakeInput', {
  description: 'Fields left out stay as they are.',
  fields: (t) => ({
    name: t.string(),
    country: t.string(),
  }),
});

const UpdateModelInput = builder.inputType('UpdateModelInput', {
  description: 'Fields left out stay as they are.',
  fields: (t) => ({
    name: t.string(),
    bodyType: t.field({ type: BodyType }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    updateMake: t.field({
      type: Make,
      description: 'Admin only.',
      authenticated: true,
      requiresScopes: [['ADMIN']],
      tag: 'internal',
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateMakeInput, required: true }) },
      resolve: (_root, { id, input }, ctx) => updateMake(ctx, id, input),
    }),
    updateModel: t.field({
      type: Model,
      description: 'Admin only.',
      authenticated: true,
      requiresScopes: [['ADMIN']],
      tag: 'internal',
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateModelInput, required: true }) },
      resolve: (_root, { id, input }, ctx) => updateModel(ctx, id, input),
    }),
  }),
});
