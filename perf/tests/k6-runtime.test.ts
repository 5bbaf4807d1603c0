import { describe, expect, mock, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { SCENARIOS } from '../scenarios';

/**
 * Runs the committed k6 scripts (perf/k6/*.js and their lib.js) under Bun with k6's modules
 * replaced by recorders, and checks what they would send: k6 itself is not installed here, and
 * a script that resent one draw would measure the gateway's in-flight deduplication.
 */
const sent: { operation: string; method: string; url: string; body?: string }[] = [];
const answer = { status: 200, body: '{"data":{}}' };
mock.module('k6/http', () => ({
  default: {
    post: (url: string, body: string, params: { tags?: { operation?: string } }) => {
      sent.push({ operation: params?.tags?.operation ?? '(setup)', method: 'POST', url, body });
      return answer;
    },
    get: (url: string, params: { tags?: { operation?: string } }) => {
      sent.push({ operation: params?.tags?.operation ?? '(setup)', method: 'GET', url });
      return answer;
    },
  },
}));
mock.module('k6/crypto', () => ({
  default: { sha256: (text: string) => createHash('sha256').update(text).digest('hex') },
}));
mock.module('k6/metrics', () => ({
  Rate: class {
    add() {}
  },
}));
Object.assign(globalThis, { __ENV: {}, __VU: 1 });

const pools = {
  offers: Array.from({ length: 800 }, (_, i) => `offer-${i}`),
  makes: Array.from({ length: 41 }, (_, i) => `make-${i}`),
  models: Array.from({ length: 429 }, (_, i) => `model-${i}`),
};

const collisionChance = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.values()].reduce((sum, count) => sum + (count / values.length) ** 2, 0);
};

/** A generated script's default export: one k6 iteration. */
const loadScript = async (name: string): Promise<(data: unknown) => void> =>
  (await import(new URL(`../k6/${name}.js`, import.meta.url).href)).default;

describe('generated k6 scripts, run', () => {
  for (const scenario of Object.values(SCENARIOS)) {
    test(`${scenario.name}: each iteration draws its own variables, except operations identical on purpose`, async () => {
      const iteration = await loadScript(scenario.name);
      sent.length = 0;
      for (let i = 0; i < 4_000; i++) iteration({ pools, tokens: ['t1', 't2'] });
      expect(sent).toHaveLength(4_000);
      const byOperation: Record<string, string[]> = {};
      for (const request of sent)
        (byOperation[request.operation] ??= []).push(
          request.body ? JSON.stringify(JSON.parse(request.body).variables) : request.url,
        );
      expect(Object.keys(byOperation).sort()).toEqual(scenario.operations.map((o) => o.name).sort());
      for (const operation of scenario.operations) {
        const values = byOperation[operation.name]!;
        const distinct = new Set(values).size;
        if (operation.identical)
          expect({ operation: operation.name, distinct }).toEqual({ operation: operation.name, distinct: 1 });
        else
          expect({
            operation: operation.name,
            varies: distinct > 1,
            collisionChance: collisionChance(values) < 1 / 32,
          }).toEqual({ operation: operation.name, varies: true, collisionChance: true });
      }
    });
  }

  test('the 2-hop script sends the price floors the local runner sends', async () => {
    const iteration = await loadScript('offer-list-2hop');
    sent.length = 0;
    for (let i = 0; i < 1_000; i++) iteration({ pools: {}, tokens: [] });
    const floors = sent.map((request) => JSON.parse(request.body!).variables.priceMin as number);
    expect(new Set(floors).size).toBeGreaterThan(800);
    expect(floors.every((floor) => floor >= 5_000_000 && floor <= 300_000_000 && floor % 100_000 === 0)).toBe(true);
  });
});
