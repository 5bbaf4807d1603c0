import type { RunningSystem } from '../../launcher/system';
import type { Actors } from './actors';
import { send, targetUrl } from './http';
import { findLeaks } from './leaks';
import type { AttackRequest, Expectation, Observed, Payload, PayloadGroup, Target } from './payload';

export interface PayloadResult {
  group: string;
  name: string;
  category: string;
  request: string;
  expected: string;
  observed: string;
  refusedAsExpected: boolean;
  /** Not refused, and known: the payload's `openFinding`. */
  openFinding?: string;
  /** Why it did not go as expected (empty when it did). */
  problems: string[];
  leaks: string[];
  serverError: boolean;
  /** The gateway and the component attacked answered their health probe afterwards. */
  keptServing: boolean;
  ms: number;
}

export interface SuiteResult {
  results: PayloadResult[];
  /** Groups after which some component failed its health probe. */
  unhealthyGroups: string[];
  crashes: string[];
  durationMs: number;
}

const COMPONENTS: Target[] = ['gateway', 'registry', 'catalog', 'offers', 'users', 'reviews', 'search'];

async function healthy(system: RunningSystem, targets: Target[]): Promise<boolean> {
  const answers = await Promise.all(
    targets.map((target) =>
      fetch(`${targetUrl(system, target)}/healthcheck`, { signal: AbortSignal.timeout(5_000) })
        .then((response) => response.ok)
        .catch(() => false),
    ),
  );
  return answers.every(Boolean);
}

export function describeExpectation(expect: Expectation): string {
  const statuses = [expect.status].flat().join(' or ');
  const codes = expect.code === undefined ? '' : ` ${[expect.code].flat().join(' or ')}`;
  return `HTTP ${statuses}${codes}${expect.means ? `: ${expect.means}` : ''}`;
}

const describeObserved = (observed: Observed) =>
  `HTTP ${observed.status}${observed.codes.length ? ` ${[...new Set(observed.codes)].join(', ')}` : ''}`;

function describeRequest(request: AttackRequest): string {
  const method = request.method ?? (request.json !== undefined || request.body !== undefined ? 'POST' : 'GET');
  const search = request.search ? `?${new URLSearchParams(request.search)}` : '';
  const path = `${method} ${request.target}${request.path ?? '/graphql'}${search}`;
  const json = request.json as { query?: unknown } | undefined;
  const body =
    typeof json?.query === 'string'
      ? json.query
      : request.json !== undefined
        ? JSON.stringify(request.json)
        : typeof request.body === 'string'
          ? request.body
          : request.body
            ? `<${request.body.byteLength} bytes>`
            : '';
  const oneLine = body.replace(/\s+/g, ' ');
  return `${path}${oneLine ? ` ${oneLine.length > 140 ? `${oneLine.slice(0, 140)}… (${oneLine.length} chars)` : oneLine}` : ''}`;
}

function judge(expect: Expectation, observed: Observed): string[] {
  const problems: string[] = [];
  if (![expect.status].flat().includes(observed.status)) problems.push(`status ${observed.status}`);
  if (expect.code !== undefined && ![expect.code].flat().some((code) => observed.codes.includes(code)))
    problems.push(`codes [${observed.codes.join(', ')}]`);
  const wrong = expect.check?.(observed);
  if (wrong) problems.push(wrong);
  return problems;
}

async function attack(actors: Actors, group: string, payload: Payload): Promise<PayloadResult> {
  const { system } = actors.target;
  const request = typeof payload.request === 'function' ? await payload.request(actors) : payload.request;
  const base = {
    group,
    name: payload.name,
    category: payload.category,
    request: describeRequest(request),
    expected: describeExpectation(payload.expect),
  };
  let observed: Observed;
  try {
    observed = await send(system, request);
  } catch (error) {
    const keptServing = await healthy(system, ['gateway', request.target]);
    return {
      ...base,
      observed: `no answer: ${(error as Error).message}`,
      refusedAsExpected: false,
      problems: ['no answer'],
      leaks: [],
      serverError: false,
      keptServing,
      ms: 0,
    };
  }
  const problems = judge(payload.expect, observed);
  const followUp = payload.verify
    ? await payload.verify(actors, observed).catch((e) => `follow-up failed: ${e}`)
    : null;
  if (followUp) problems.push(followUp);
  const leaks = findLeaks(observed, actors);
  const keptServing = await healthy(system, ['gateway', request.target]);
  return {
    ...base,
    observed: describeObserved(observed),
    refusedAsExpected: problems.length === 0,
    openFinding: problems.length ? payload.openFinding : undefined,
    problems,
    leaks,
    serverError: observed.status >= 500,
    keptServing,
    ms: observed.ms,
  };
}

/** Runs every payload in order (groups may depend on what earlier ones did), probing health after each. */
export async function runSuite(actors: Actors, groups: PayloadGroup[]): Promise<SuiteResult> {
  const started = performance.now();
  const results: PayloadResult[] = [];
  const unhealthyGroups: string[] = [];
  for (const group of groups) {
    for (const payload of group.payloads) results.push(await attack(actors, group.name, payload));
    if (!(await healthy(actors.target.system, COMPONENTS))) unhealthyGroups.push(group.name);
  }
  return {
    results,
    unhealthyGroups,
    crashes: [...actors.target.crashes],
    durationMs: Math.round(performance.now() - started),
  };
}
