import { afterEach, expect, test } from 'bun:test';
import { buildSchema } from 'graphql';
import { createLogger } from '../../../kit/log';
import { serveSubgraph } from '../server';
import { withEnv } from '../../../tests/support/env';

const TOKEN = 'subgraph-metrics-token-0123456789';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function serve(env: Record<string, string>) {
  return withEnv(env, async () => {
    const service = serveSubgraph({
      name: 'probe',
      schema: buildSchema('type Query { ok: Boolean }'),
      port: 0,
      logger: createLogger('probe', 'silent'),
      ready: async () => true,
      viewerFrom: async () => null,
      extendContext: (base) => base,
    });
    stops.push(() => service.stop());
    return service;
  });
}

test('with METRICS_TOKEN a subgraph answers /metrics only to scrapes that send it', async () => {
  const service = await serve({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
  expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
  const scrape = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(scrape.status).toBe(200);
  expect(await scrape.text()).toContain('# HELP');
});

test('in production without METRICS_TOKEN a subgraph does not serve /metrics', async () => {
  const service = await serve({ NODE_ENV: 'production' });
  const answer = await fetch(`${service.url}/metrics`);
  expect(answer.status).toBe(404);
  expect(await answer.text()).not.toContain('# HELP');
});
