import { isId } from '../../framework';
import { listApplications } from '../dealer-applications';
import { publicUserById, userById } from '../loaders';
import { builder } from './builder';
import { DealerApplicationConnection, DealerApplicationStatus, User, Viewer } from './types';

builder.queryType({
  fields: (t) => ({
    me: t.field({
      type: Viewer,
      nullable: true,
      authenticated: true,
      description: 'The signed-in user; null when the request carries no access token.',
      resolve: (_root, _args, ctx) => (ctx.viewer ? userById(ctx).load(ctx.viewer.userId) : null),
    }),
    user: t.field({
      type: User,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => (isId(id) ? publicUserById(ctx).load(id.toLowerCase()) : null),
    }),
    dealerApplications: t.field({
      type: DealerApplicationConnection,
      description: 'Moderators and admins: dealer applications in one status, oldest first.',
      authenticated: true,
      requiresScopes: [['MODERATOR'], ['ADMIN']],
      tag: 'internal',
      args: {
        status: t.arg({ type: DealerApplicationStatus, defaultValue: 'PENDING' }),
        first: t.arg.int({ defaultValue: 20 }),
        after: t.arg.string(),
      },
      resolve: (_root, args, ctx) => listApplications(ctx, args),
    }),
  }),
});
