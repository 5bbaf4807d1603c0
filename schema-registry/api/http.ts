import type { Context } from 'hono';
import { z } from 'zod';
import type { HostAllowList } from '../../kit/host-allow-list';
import type { Caller } from '../access';
import { checkSdl } from '../compose';
import type { targets } from '../db/schema';
import { measureSdl, type LimitRefusal, type SchemaLimits } from '../limits';

/** What every route sees: the authorised caller and, under /targets/:target, the target row. */
export type RegistryEnv = { Variables: { caller: Caller; target: typeof targets.$inferSelect } };
export type RegistryContext = Context<RegistryEnv>;

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'INVALID_SDL'
  | 'INVALID_DOCUMENTS'
  | 'COMPOSITION_FAILED'
  | 'CONTRACT_COMPOSITION_FAILED'
  | 'CONTRACT_EXISTS'
  | 'BREAKING_CHANGES'
  | 'NOT_FOUND'
  | 'TARGET_NOT_FOUND'
  | 'TARGET_EXISTS'
  | 'NO_SUPERGRAPH'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL'
  | LimitRefusal['code']
  | 'HOST_NOT_ALLOWED';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 500;

/** Every error answers `{ error: { code, message, details? } }`. */
export const fail = (c: Context, status: ErrorStatus, code: ErrorCode, message: string, details?: unknown) =>
  c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);

/** Parses a JSON body with a zod schema; a bad body answers 400 naming each bad field. */
export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | Response> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  return parsed.success
    ? parsed.data
    : fail(
        c,
        400,
        'BAD_REQUEST',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
}

/** Ids and version numbers are PostgreSQL integers: a larger number is a bad request, not a database error. */
const INT_MAX = 2_147_483_647;
export const isId = (value: number) => Number.isInteger(value) && value > 0 && value <= INT_MAX;
/** A version number or id in a JSON body. */
export const idNumber = z.number().int().positive().max(INT_MAX);

/** A positive integer path parameter, or a 400 response. */
export function intParam(c: Context, name: string): number | Response {
  const value = Number(c.req.param(name));
  return isId(value) ? value : fail(c, 400, 'BAD_REQUEST', `${name} must be a positive integer up to ${INT_MAX}`);
}

/** An SDL over the size or nesting limits (413 / 400), or with a syntax error (400); null when it may be parsed and composed. */
export function sdlError(c: Context, sdl: string, limits: SchemaLimits) {
  const refusal = measureSdl(sdl, limits);
  if (refusal) return refuse(c, refusal);
  const syntax = checkSdl(sdl);
  if (syntax.ok) return null;
  const where = syntax.line ? ` at line ${syntax.line}, column ${syntax.column}` : '';
  return fail(c, 400, 'INVALID_SDL', `${syntax.message}${where}`, { line: syntax.line, column: syntax.column });
}

export const refuse = (c: Context, refusal: LimitRefusal) =>
  fail(c, refusal.status, refusal.code, refusal.message, refusal.details);

/**
 * 400 HOST_NOT_ALLOWED when `url`'s host is not on `list` (configured by `variable`) or is
 * link-local / cloud metadata; null when it may be used. The answer names the host, never the
 * whole URL (its path or query may carry a secret).
 */
export function hostError(c: Context, url: string, list: HostAllowList, variable: string) {
  const refusal = list.check(new URL(url));
  if (!refusal) return null;
  const hint = refusal.reason === 'not-allowed' ? ` (the registry's ${variable})` : '';
  return fail(c, 400, 'HOST_NOT_ALLOWED', `${refusal.message}${hint}`, {
    host: refusal.host,
    reason: refusal.reason,
    variable,
  });
}

export const limitParam = (c: Context, fallback: number, max: number) =>
  Math.min(Math.max(Number(c.req.query('limit') ?? fallback) || fallback, 1), max);
