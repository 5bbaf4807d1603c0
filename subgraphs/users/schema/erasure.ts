import { markChanged } from '../../framework';
import { deleteMyAccount, erasureStatus, type ErasureView } from '../erasure';
import { builder } from './builder';

const ErasureStep = builder.objectRef<ErasureView['steps'][number]>('ErasureStep').implement({
  description: "One subgraph's part of an erasure.",
  fields: (t) => ({
    service: t.exposeString('service'),
    done: t.exposeBoolean('done'),
    doneAt: t.field({ type: 'DateTime', nullable: true, resolve: (step) => step.doneAt }),
    attempts: t.exposeInt('attempts', {
      description: 'Times the subgraph fetched it: more than one means it retried.',
    }),
  }),
});

const ErasureState = builder.enumType('ErasureState', { values: ['IN_PROGRESS', 'COMPLETED'] as const });

const ErasureRequest = builder.objectRef<ErasureView>('ErasureRequest').implement({
  description:
    'An account erasure. Keep its id: erasureStatus(id) answers without signing in (the account can no longer sign in).',
  fields: (t) => ({
    id: t.exposeID('id'),
    state: t.field({
      type: ErasureState,
      resolve: (request) => (request.completedAt ? 'COMPLETED' : 'IN_PROGRESS'),
    }),
    requestedAt: t.field({ type: 'DateTime', resolve: (request) => request.requestedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (request) => request.completedAt }),
    steps: t.field({ type: [ErasureStep], resolve: (request) => request.steps }),
  }),
});

builder.mutationField('deleteMyAccount', (t) =>
  t.field({
    type: ErasureRequest,
    description:
      'Erases the signed-in account (GDPR art. 17): personal data anonymised or deleted in every subgraph, offers withdrawn, reviews kept as "Deleted user". Asks for the password again.',
    authenticated: true,
    args: { password: t.arg.string({ required: true }) },
    resolve: async (_root, { password }, ctx) => {
      const request = await deleteMyAccount(ctx, password);
      // Cached answers showing the account (a seller's or an author's name) go now, not at their TTL.
      markChanged(ctx, 'User', ctx.viewer!.userId);
      return request;
    },
  }),
);

builder.queryField('erasureStatus', (t) =>
  t.field({
    type: ErasureRequest,
    nullable: true,
    description: 'Progress of an erasure, by the id deleteMyAccount returned (unguessable; shows no personal data).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => erasureStatus(ctx.db, id),
  }),
);
