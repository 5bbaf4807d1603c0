import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.misconfiguration;
const LOGOUT = 'mutation { logout(refreshToken: "csrf") }';
const HOSTILE = 'https://evil.example';
/** A hostile origin must never be allowed to read the answer. */
const noCors = (observed: { headers: Headers }) => {
  const allowed = observed.headers.get('access-control-allow-origin');
  return allowed ? `access-control-allow-origin: ${allowed}` : null;
};

/** Bodies a cross-site page can POST without a preflight: [what, content type, body]. */
const SIMPLE_POSTS: [string, string, string][] = [
  ['text/plain POST (simple request)', 'text/plain', JSON.stringify({ query: LOGOUT })],
  [
    'form POST (application/x-www-form-urlencoded)',
    'application/x-www-form-urlencoded',
    new URLSearchParams({ query: LOGOUT }).toString(),
  ],
  [
    'multipart form POST',
    'multipart/form-data; boundary=x',
    `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: LOGOUT })}\r\n--x--\r\n`,
  ],
];

const payloads: Payload[] = [
  {
    name: 'CSRF: mutation by GET without a CSRF header',
    category,
    request: { target: 'gateway', search: { query: LOGOUT } },
    expect: { status: 403 },
  },
  {
    name: 'CSRF: mutation by GET with a CSRF header',
    category,
    request: { target: 'gateway', search: { query: LOGOUT }, headers: { 'x-graphql-csrf': '1' } },
    expect: { status: 405 },
  },
  {
    name: 'CSRF: query by GET without a CSRF header',
    category,
    request: { target: 'gateway', search: { query: '{ me { email } }' } },
    expect: { status: 403 },
  },
  ...SIMPLE_POSTS.map(
    ([name, contentType, body]): Payload => ({
      name: `CSRF: ${name}`,
      category,
      request: { target: 'gateway', headers: { 'content-type': contentType }, body },
      expect: { status: [403, 415] },
    }),
  ),
  {
    name: 'CORS: preflight from a hostile origin',
    category,
    request: {
      target: 'gateway',
      method: 'OPTIONS',
      headers: {
        origin: HOSTILE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    },
    expect: { status: [200, 204, 403], check: noCors, means: 'no access-control-allow-origin' },
  },
  {
    name: 'CORS: POST from a hostile origin',
    category,
    request: { target: 'gateway', json: { query: '{ makes { id } }' }, headers: { origin: HOSTILE } },
    expect: { status: [200, 403], check: noCors, means: 'no access-control-allow-origin' },
  },
  {
    name: 'CORS: origin "null" (sandboxed frame)',
    category,
    request: { target: 'gateway', json: { query: '{ makes { id } }' }, headers: { origin: 'null' } },
    expect: { status: [200, 403], check: noCors, means: 'no access-control-allow-origin' },
  },
];

export const browser: PayloadGroup = { name: 'Browser attacks: CSRF and CORS', payloads };
