import type { Context } from 'hono';
import { z } from 'zod';
import type { Caller } from '../access';
import { checkSdl } from '../compose';
import type { targets } from '../db/schema';

/** What every route sees: the authorised caller and, under /targets/:target, the target row. */
export type RegistryEnv = { Variables: { caller: Caller; target: typeof targets.$inferSelect } };
export type RegistryContext = Context<RegistryEnv>;

export type ErrorCode =
  | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'INVALID_SDL' | 'INVALID_DOCUMENTS' | 'COMPOSITION_FAILED' | 'BREAKING_CHANGES'
  | 'NOT_FOUND' | 'TARGET_NOT_FOUND' | 'TARGET_EXISTS' | 'NO_SUPERGRAPH' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 500;

/** Every error answers `{ error: { code, message, details? } }`. */
export const fail = (c: Context, status: ErrorStatus, code: ErrorCode, message: string, details?: unknown) =>
  c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);

/** Parses a JSON body with a zod schema; a bad body answers 400 naming each bad field. */
export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | Response> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  return parsed.success ? parsed.data : fail(c, 400, 'BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}

/** A positive integer path parameter, or a 400 response. */
export function intParam(c: Context, name: string): number | Response {
  const value = Number(c.req.param(name));
  return Number.isInteger(value) && value > 0 ? value : fail(c, 400, 'BAD_REQUEST', `${name} must be a positive integer`);
}

export function sdlError(c: Context, sdl: string) {
  const syntax = checkSdl(sdl);
  if (syntax.ok) return null;
  const where = syntax.line ? ` at line ${syntax.line}, column ${syntax.column}` : '';
  return fail(c, 400, 'INVALID_SDL', `${syntax.message}${where}`, { line: syntax.line, column: syntax.column });
}

export const limitParam = (c: Context, fallback: number, max: number) => Math.min(Math.max(Number(c.req.query('limit') ?? fallback) || fallback, 1), max);
