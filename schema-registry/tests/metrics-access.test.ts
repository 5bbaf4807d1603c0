import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readRegistryEnv } from '../config';
import { startRegistry } from '../server';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';

const METRICS_TOKEN = 'registry-metrics-token-0123456789';
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let production: RunningService;

beforeAll(async () => {
  database = await createTempDatabase('registry_metrics');
  const { logLevel: _, ...options } = readRegistryEnv({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REGISTRY_TOKEN: 'a-registry-admin-token-of-32-characters',
    REGISTRY_PORT: '0',
    METRICS_TOKEN,
  });
  production = await startRegistry({ ...options, logger: createLogger('registry', 'silent') });
});

afterAll(async () => {
  await production?.stop();
  await database?.drop();
});

test('in production /metrics answers only scrapes that send METRICS_TOKEN', async () => {
  const anonymous = await fetch(`${production.url}/metrics`);
  expect(anonymous.status).toBe(401);
  expect(await anonymous.text()).not.toContain('# HELP');
  const wrong = await fetch(`${production.url}/metrics`, {
    headers: { authorization: 'Bearer wrong-token-000000000' },
  });
  expect(wrong.status).toBe(401);
  const scrape = await fetch(`${production.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(scrape.status).toBe(200);
  expect(await scrape.text()).toContain('# HELP');
});

test('in production without METRICS_TOKEN /metrics is not served at all', () => {
  const options = readRegistryEnv({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REGISTRY_TOKEN: 'a-registry-admin-token-of-32-characters',
  });
  expect(options.metrics).toEqual({ token: null, served: false });
});
