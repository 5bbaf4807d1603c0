import { expect, test } from 'bun:test';
import { createSessions, SESSION_TTL_MS } from '../console/session';

const SECRET = 'console-session-test-secret-0123456789';

test('a sealed session opens with the same secret and hides the token', () => {
  const sessions = createSessions(SECRET);
  const { session, cookie } = sessions.start('agr_write_secret-token');
  expect(cookie).not.toContain('agr_write');
  expect(Buffer.from(cookie, 'base64url').toString('latin1')).not.toContain('secret-token');
  expect(sessions.open(cookie)).toEqual(session);
});

test('an altered cookie, another secret, garbage or nothing open no session', () => {
  const sessions = createSessions(SECRET);
  const { cookie } = sessions.start('token-a');
  const raw = Buffer.from(cookie, 'base64url');
  raw[raw.length - 1]! ^= 1;
  expect(sessions.open(raw.toString('base64url'))).toBeNull();
  expect(createSessions(`${SECRET}-other`).open(cookie)).toBeNull();
  expect(sessions.open('not-a-cookie')).toBeNull();
  expect(sessions.open('')).toBeNull();
  expect(sessions.open(undefined)).toBeNull();
});

test('a session expires after SESSION_TTL_MS', () => {
  let now = 1_000_000;
  const sessions = createSessions(SECRET, () => now);
  const { cookie } = sessions.start('token-a');
  now += SESSION_TTL_MS - 1;
  expect(sessions.open(cookie)).not.toBeNull();
  now += 2;
  expect(sessions.open(cookie)).toBeNull();
});

test('a CSRF token is valid for its own session only', () => {
  const sessions = createSessions(SECRET);
  const a = sessions.start('token-a').session;
  const b = sessions.start('token-a').session;
  const token = sessions.csrfToken(a);
  expect(sessions.validCsrf(a, token)).toBe(true);
  expect(sessions.validCsrf(b, token)).toBe(false);
  expect(sessions.validCsrf(a, undefined)).toBe(false);
  expect(sessions.validCsrf(a, '')).toBe(false);
  expect(sessions.validCsrf(a, `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`)).toBe(false);
  expect(sessions.validCsrf(a, 'short')).toBe(false);
  // Another secret derives other tokens for the same session.
  expect(createSessions(`${SECRET}-other`).validCsrf(a, token)).toBe(false);
});
