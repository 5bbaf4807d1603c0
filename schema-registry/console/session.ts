import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console's session: the registry token the user signed in with, sealed (AES-256-GCM) into an
 * HttpOnly, SameSite=Strict cookie. Nothing is kept on the server, so every registry process
 * behind a load balancer accepts it, and the token is checked again on every request: revoking
 * it ends its sessions at once. Written with node:crypto because Hono's cookie helpers only sign
 * (the token must not be readable from the cookie) and a sealing library would add a dependency
 * for about twenty lines.
 *
 * CSRF: every form carries a token that is an HMAC of the session's random id, checked on every
 * POST (synchronizer token, stateless), on top of SameSite=Strict and Hono's Origin check.
 */

export const SESSION_COOKIE = 'autograph_console';
/** A session lasts this long from sign-in; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 3600_000;

export interface Session {
  token: string;
  /** Random per sign-in: what the CSRF token is bound to. */
  id: string;
  expiresAt: number;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

export function createSessions(secret: string, now: () => number = Date.now) {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, '', `autograph console ${purpose}`, 32));
  const sealKey = derive('session');
  const csrfKey = derive('csrf');

  return {
    start(token: string): { session: Session; cookie: string } {
      const session = { token, id: base64url(randomBytes(16)), expiresAt: now() + SESSION_TTL_MS };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      const sealed = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
      return { session, cookie: base64url(Buffer.concat([iv, cipher.getAuthTag(), sealed])) };
    },

    /** The session in a cookie value, or null when it was altered, sealed with another secret, or expired. */
    open(cookie: string | undefined): Session | null {
      if (!cookie) return null;
      const raw = Buffer.from(cookie, 'base64url');
      if (raw.length < 29) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', sealKey, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const session = JSON.parse(text) as Session;
        return typeof session.token === 'string' && session.expiresAt > now() ? session : null;
      } catch {
        return null;
      }
    },

    csrfToken: (session: Session) => base64url(createHmac('sha256', csrfKey).update(session.id).digest()),

    /** Whether a submitted CSRF token belongs to this session (constant time). */
    validCsrf(session: Session, submitted: string | undefined | null): boolean {
      if (!submitted) return false;
      const expected = Buffer.from(createHmac('sha256', csrfKey).update(session.id).digest());
      const given = Buffer.from(submitted, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
