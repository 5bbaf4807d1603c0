import type { Actors } from '../actors';
import { OWASP, type AttackRequest, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.functionAuthorization;
const PUBLISH = {
  name: 'offers',
  url: 'http://169.254.169.254/latest/meta-data',
  sdl: 'type Query { pwned: String }',
};

/** A read token of the main target, issued once with the admin token and shared by the payloads that need one. */
let readToken: Promise<string> | undefined;
function readTokenOf(actors: Actors): Promise<string> {
  readToken ??= fetch(`${actors.target.system.registryUrl}/v1/targets/main/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${actors.target.secrets.registryToken}` },
    body: JSON.stringify({ kind: 'read', name: 'security-suite' }),
  })
    .then((response) => response.json() as Promise<{ token: string }>)
    .then((issued) => issued.token);
  return readToken;
}

const registry = (request: Omit<AttackRequest, 'target'>): AttackRequest => ({ target: 'registry', ...request });
const asReader =
  (request: Omit<AttackRequest, 'target'>) =>
  async (actors: Actors): Promise<AttackRequest> =>
    registry({ ...request, headers: { ...request.headers, authorization: `Bearer ${await readTokenOf(actors)}` } });

/** Refused for want of a (good enough) token: 401 without one, 403 with the wrong one. */
const refused = (status: 401 | 403) => ({ status, code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
const WRONG_TOKEN = { authorization: 'Bearer agr_read_guess' };

const ACCESS: [name: string, request: Payload['request'], status: 401 | 403][] = [
  ['supergraph without a token', registry({ path: '/v1/targets/main/supergraph' }), 401],
  ['supergraph with a wrong token', registry({ path: '/v1/targets/main/supergraph', headers: WRONG_TOKEN }), 403],
  ['publish without a token', registry({ path: '/v1/targets/main/subgraphs', json: PUBLISH }), 401],
  ['publish with a read token (lesser token)', asReader({ path: '/v1/targets/main/subgraphs', json: PUBLISH }), 403],
  [
    'delete a subgraph with a read token',
    asReader({ path: '/v1/targets/main/subgraphs/offers', method: 'DELETE' }),
    403,
  ],
  [
    'issue a write token with a read token',
    asReader({ path: '/v1/targets/main/tokens', json: { kind: 'write', name: 'escalated' } }),
    403,
  ],
  ['list targets (admin) with a read token', asReader({ path: '/v1/targets' }), 403],
  [
    'audit log with part of the admin token in a query parameter',
    (a) => registry({ path: '/v1/audit', search: { token: a.target.secrets.registryToken.slice(0, 8) } }),
    401,
  ],
  [
    'rollback with a wrong token',
    registry({ path: '/v1/targets/main/rollback', json: { version: 1 }, headers: WRONG_TOKEN }),
    403,
  ],
];

const payloads: Payload[] = [
  ...ACCESS.map(([name, request, status]): Payload => ({ name, category, request, expect: refused(status) })),
  {
    name: 'path traversal in the target name',
    category: OWASP.injection,
    request: asReader({ path: '/v1/targets/..%2F..%2Fetc/supergraph' }),
    expect: { status: [400, 404] },
  },
  {
    name: 'SQL in the target name',
    category: OWASP.injection,
    request: asReader({ path: `/v1/targets/${encodeURIComponent("main' or '1'='1")}/supergraph` }),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'webhook pointing at cloud metadata (SSRF), admin token',
    category: OWASP.misconfiguration,
    request: (a) =>
      registry({
        path: '/v1/targets/main/webhooks',
        json: { url: 'http://169.254.169.254/latest/meta-data', events: ['version.published'] },
        headers: { authorization: `Bearer ${a.target.secrets.registryToken}` },
      }),
    expect: { status: 400 },
  },
];

export const registryPayloads: PayloadGroup = { name: 'Schema registry', payloads };
