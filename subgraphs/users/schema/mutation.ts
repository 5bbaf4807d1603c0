import { requireViewer } from '../../framework';
import { decideApplication } from '../dealer-applications';
import { builder } from './builder';
import { AuthPayload, DealerApplication, RegisterInput } from './types';

builder.mutationType({
  fields: (t) => ({
    register: t.field({
      type: AuthPayload,
      args: { input: t.arg({ type: RegisterInput, required: true }) },
      resolve: (_root, { input }, ctx) => ctx.sessions.register(input),
    }),
    login: t.field({
      type: AuthPayload,
      args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
      resolve: (_root, { email, password }, ctx) => ctx.sessions.login(email, password, ctx),
    }),
    refreshSession: t.field({
      type: AuthPayload,
      description: 'Rotates the refresh token: the old one stops working; reusing it revokes the whole session.',
      args: { refreshToken: t.arg.string({ required: true }) },
      resolve: (_root, { refreshToken }, ctx) => ctx.sessions.refresh(refreshToken, ctx),
    }),
    logout: t.boolean({
      description: 'Ends the session (the refresh-token family). Access tokens already issued expire on their own.',
      args: { refreshToken: t.arg.string({ required: true }) },
      resolve: (_root, { refreshToken }, ctx) => ctx.sessions.logout(refreshToken, ctx),
    }),
    changePassword: t.boolean({
      description:
        'Asks for the current password again. Every other session of the account is ended; this one stays signed in.',
      authenticated: true,
      args: {
        currentPassword: t.arg.string({ required: true }),
        newPassword: t.arg.string({ required: true }),
      },
      resolve: (_root, args, ctx) =>
        ctx.sessions.changePassword(requireViewer(ctx), args.currentPassword, args.newPassword, ctx),
    }),
    approveDealerApplication: t.field({
      type: DealerApplication,
      description:
        'Moderators and admins: the applicant becomes a dealer (kind and role DEALER); their next access token carries the role.',
      authenticated: true,
      requiresScopes: [['MODERATOR'], ['ADMIN']],
      tag: 'internal',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => decideApplication(ctx, id, 'APPROVED'),
    }),
    rejectDealerApplication: t.field({
      type: DealerApplication,
      description: 'Moderators and admins: the applicant stays a private seller.',
      authenticated: true,
      requiresScopes: [['MODERATOR'], ['ADMIN']],
      tag: 'internal',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => decideApplication(ctx, id, 'REJECTED'),
    }),
  }),
});
