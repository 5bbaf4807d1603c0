import type { RunningSystem } from '../../launcher/system';
import type { AttackRequest, Observed, Target } from './payload';

export function targetUrl(system: RunningSystem, target: Target): string {
  if (target === 'gateway') return system.gatewayUrl;
  if (target === 'registry') return system.registryUrl;
  return system.subgraphUrls[target];
}

/** Sends one attack request over real HTTP and reads the whole answer. */
export async function send(system: RunningSystem, request: AttackRequest): Promise<Observed> {
  const url = new URL(request.path ?? '/graphql', targetUrl(system, request.target));
  for (const [name, value] of Object.entries(request.search ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, request.headers);
  const method = request.method ?? (request.json !== undefined || request.body !== undefined ? 'POST' : 'GET');
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers,
    body: request.json !== undefined ? JSON.stringify(request.json) : request.body,
  });
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const errors = (Array.isArray(body) ? body : [body]).flatMap((item) =>
    Array.isArray(item?.errors) ? item.errors : [],
  );
  const codes = errors.map((error: any) => error?.extensions?.code).filter((code: unknown) => typeof code === 'string');
  if (typeof body?.error?.code === 'string') codes.push(body.error.code);
  const messages = errors.map((error: any) => String(error?.message ?? ''));
  if (typeof body?.error?.message === 'string') messages.push(body.error.message);
  return { status: response.status, headers: response.headers, text, body, codes, messages, ms };
}

/** A GraphQL POST to the gateway, optionally as a signed-in user. */
export function gateway(query: string, variables?: Record<string, unknown>, token?: string): AttackRequest {
  return {
    target: 'gateway',
    json: variables ? { query, variables } : { query },
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
}
