import { isId, ROLES } from '../../framework';
import type { UserRow } from '../db/schema';
import { userById } from '../loaders';
import type { AuthPayload as AuthPayloadShape } from '../sessions';
import { builder } from './builder';

const SellerKind = builder.enumType('SellerKind', { values: ['PRIVATE', 'DEALER'] as const });
const Role = builder.enumType('Role', { values: ROLES });

export const User = builder.objectRef<UserRow>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: SellerKind, resolve: (user) => user.kind }),
    city: t.exposeString('city'),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
  }),
});

builder.asEntity(User, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? userById(ctx).load(ref.id.toLowerCase()) : null),
});

/** The signed-in person: only they see their e-mail and roles. */
export const Viewer = builder.objectRef<UserRow>('Viewer').implement({
  fields: (t) => ({
    user: t.field({ type: User, resolve: (user) => user }),
    email: t.exposeString('email'),
    roles: t.field({ type: [Role], resolve: (user) => user.roles }),
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
    kind: t.field({ type: SellerKind, required: true, defaultValue: 'PRIVATE' }),
  }),
});
