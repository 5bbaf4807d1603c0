import { defineConnection, definePageInfo, isId, ROLES } from '../../framework';
import type { DealerApplicationRow, UserRow } from '../db/schema';
import { latestApplication } from '../dealer-applications';
import { publicUserById, type PublicUserRow } from '../loaders';
import type { AuthPayload as AuthPayloadShape } from '../sessions';
import { builder } from './builder';

const SellerKind = builder.enumType('SellerKind', { values: ['PRIVATE', 'DEALER'] as const });
const Role = builder.enumType('Role', { values: ROLES });

export const User = builder.objectRef<PublicUserRow>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: SellerKind, resolve: (user) => user.kind }),
    city: t.exposeString('city'),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
    active: t.boolean({
      description:
        'False once the account is deactivated. For peer subgraphs (their writes check it); @inaccessible, so never in the public API.',
      inaccessible: true,
      resolve: (user) => user.deactivatedAt === null,
    }),
  }),
});

builder.asEntity(User, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? publicUserById(ctx).load(ref.id.toLowerCase()) : null),
});

export const DealerApplicationStatus = builder.enumType('DealerApplicationStatus', {
  values: ['PENDING', 'APPROVED', 'REJECTED'] as const,
});

/** A request for the dealer role, filed by registering with `kind: DEALER`. */
export const DealerApplication = builder.objectRef<DealerApplicationRow>('DealerApplication').implement({
  description:
    'A request for the dealer role. A moderator or an admin approves or rejects it; only approval makes the account a dealer.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: DealerApplicationStatus, resolve: (application) => application.status }),
    user: t.field({
      type: User,
      resolve: async (application, _args, ctx) => (await publicUserById(ctx).load(application.userId))!,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (application) => application.createdAt }),
    decidedAt: t.field({ type: 'DateTime', nullable: true, resolve: (application) => application.decidedAt }),
  }),
});

const PageInfo = definePageInfo(builder);
export const DealerApplicationConnection = defineConnection(builder, 'DealerApplication', DealerApplication, PageInfo);

/** The signed-in person: only they see their e-mail and roles. */
export const Viewer = builder.objectRef<UserRow>('Viewer').implement({
  fields: (t) => ({
    user: t.field({ type: User, resolve: (user) => user }),
    email: t.exposeString('email'),
    roles: t.field({ type: [Role], tag: 'internal', resolve: (user) => user.roles }),
    dealerApplication: t.field({
      type: DealerApplication,
      nullable: true,
      description: "The account's latest dealer application, if it filed one.",
      resolve: (user, _args, ctx) => latestApplication(ctx).load(user.id),
    }),
  }),
});

export const AuthPayload = builder.objectRef<AuthPayloadShape>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    refreshToken: t.exposeString('refreshToken'),
    expiresAt: t.field({ type: 'DateTime', resolve: (payload) => payload.expiresAt }),
    viewer: t.field({ type: Viewer, resolve: (payload) => payload.user }),
  }),
});

export const RegisterInput = builder.inputType('RegisterInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    name: t.string({ required: true }),
    city: t.string({ required: true }),
    kind: t.field({
      type: SellerKind,
      required: true,
      defaultValue: 'PRIVATE',
      description:
        'DEALER files a dealer application (see Viewer.dealerApplication): the account starts as a private seller until a moderator approves it.',
    }),
  }),
});
