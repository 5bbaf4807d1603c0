import { isId } from '../../framework';
import { reviewById } from '../loaders';
import { builder } from './builder';
import { Review } from './refs';

builder.queryType({
  fields: (t) => ({
    review: t.field({
      type: Review,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => (isId(id) ? reviewById(ctx).load(id.toLowerCase()) : null),
    }),
  }),
});
