import { isId } from '../../framework';
import type { ModelRow } from '../db/schema';
import { allMakes, makeById, modelById } from '../loaders';
import { builder } from './builder';
import { Make, Model } from './types';

builder.queryType({
  fields: (t) => ({
    makes: t.field({
      type: [Make],
      description: 'All makes, alphabetically.',
      resolve: (_root, _args, ctx) => allMakes(ctx),
    }),
    make: t.field({
      type: Make,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => (isId(id) ? makeById(ctx).load(id.toLowerCase()) : null),
    }),
    model: t.field({
      type: Model,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => (isId(id) ? modelById(ctx).load(id.toLowerCase()) : null),
    }),
    models: t.field({
      type: [Model],
      description: 'Models by ID, in the order asked; unknown IDs are left out.',
      args: { ids: t.arg.idList({ required: true }) },
      resolve: async (_root, { ids }, ctx) => {
        const valid = ids
          .filter(isId)
          .slice(0, 100)
          .map((id) => id.toLowerCase());
        const rows = await modelById(ctx).loadMany(valid);
        return rows.filter((row): row is ModelRow => row != null && !(row instanceof Error));
      },
    }),
  }),
});
