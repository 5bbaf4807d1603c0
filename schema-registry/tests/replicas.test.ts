import { afterAll, beforeAll, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrateDatabase } from '../../kit/db';
import { freePorts } from '../../kit/ports';
import { waitForHttp } from '../../kit/service';
import { eventually } from '../../tests/support/graphql';
import { createTempDatabase } from '../../tests/support/temp-database';
import { createRegistryClient } from '../client';

// Two real registry processes on one database: writes serialised, each pending webhook delivery
// sent once, usage counted once, old usage pruned.
const TOKEN = 'replicas-test-admin-token';
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const PENDING = 12;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let sql: ReturnType<typeof postgres>;
let receiver: ReturnType<typeof Bun.serve>;
const received = new Map<string, number>();
const replicas: { url: string; process: ReturnType<typeof Bun.spawn> }[] = [];

const client = (replica: number) =>
  createRegistryClient({ registryUrl: replicas[replica]!.url, target: 'main', token: TOKEN });

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(request) {
      const id = request.headers.get('x-autograph-delivery') ?? '?';
      received.set(id, (received.get(id) ?? 0) + 1);
      await Bun.sleep(20); // a receiver that takes a moment: overlapping resumes would both send
      return new Response('ok');
    },
  });
  database = await createTempDatabase('registry_replicas');
  await migrateDatabase(database.url, 'registry', fileURLToPath(new URL('../drizzle', import.meta.url)));
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  // What a stopped registry left behind: pending deliveries nobody holds, one another replica still
  // holds for a second, usage from long ago and from now.
  await sql`insert into registry.targets (name) values ('main')`;
  const [hook] = await sql`insert into registry.webhooks (target, url, secret, events)
    values ('main', ${`http://127.0.0.1:${receiver.port}/hook`}, 'a-webhook-signing-secret', '{version.published}')
    returning id`;
  for (let i = 0; i < PENDING; i++)
    await sql`insert into registry.webhook_deliveries (webhook_id, event, payload) values (${hook!.id}, 'version.published', '{}')`;
  await sql`insert into registry.webhook_deliveries (webhook_id, event, payload, leased_by, leased_until)
    values (${hook!.id}, 'version.published', '{"held": true}', 'a-stopped-replica', now() + interval '1 second')`;
  await sql`insert into registry.usage (target, hash, client, hour, count, last_seen) values
    ('main', 'old-operation', 'web', date_trunc('hour', now() - interval '30 days'), 5, now() - interval '30 days'),
    ('main', 'recent-operation', 'web', date_trunc('hour', now()), 7, now())`;

  const ports = freePorts('127.0.0.1', 2);
  for (const port of ports) {
    const child = Bun.spawn(['bun', MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: database.url,
        REGISTRY_PORT: String(port),
        REGISTRY_TOKEN: TOKEN,
        REGISTRY_WEBHOOK_SWEEP_MS: '200',
        LOG_LEVEL: 'silent',
      },
      stdout: 'ignore',
      stderr: 'inherit',
    });
    replicas.push({ url: `http://127.0.0.1:${port}`, process: child });
  }
  await Promise.all(replicas.map((r) => waitForHttp(`${r.url}/readiness`, 30_000)));
}, 60_000);

afterAll(async () => {
  for (const replica of replicas) {
    replica.process.kill('SIGTERM');
    await replica.process.exited;
  }
  await sql?.end();
  receiver?.stop(true);
  await database?.drop();
});

test('both replicas resume at once: every pending delivery is sent exactly once', async () => {
  await eventually(async () => {
    const [row] = await sql`select count(*)::int as pending from registry.webhook_deliveries where status = 'pending'`;
    return row!.pending === 0;
  }, 20_000);
  await Bun.sleep(500); // a duplicate would arrive within this
  const deliveries = await sql`select id, status, leased_by from registry.webhook_deliveries order by id`;
  expect(deliveries.length).toBe(PENDING + 1);
  for (const delivery of deliveries) {
    expect(delivery.status).toBe('delivered');
    expect(received.get(String(delivery.id))).toBe(1);
  }
  // The held one went to a live replica after its holder's lease ran out.
  expect(deliveries.at(-1)!.leased_by).not.toBe('a-stopped-replica');
  expect(new Set(deliveries.map((d) => d.leased_by)).size).toBeGreaterThanOrEqual(1);
});

test('concurrent publishes to both replicas are serialised: no version or subgraph lost', async () => {
  const names = Array.from({ length: 8 }, (_, i) => `svc-${i}`);
  await Promise.all(
    names.map((name, i) =>
      client(i % 2).publishSubgraph({
        name,
        url: `http://${name}:4000/graphql`,
        sdl: `${LINK}\ntype Query { field${i}: Int }`,
      }),
    ),
  );
  const versions = await client(0).versions({ limit: 50 });
  expect(versions.map((v) => v.number).sort((a, b) => a - b)).toEqual(names.map((_, i) => i + 1));
  expect(versions[0]!.subgraphs.sort()).toEqual(names.toSorted());
});

test('usage reported to both replicas at once is counted once; old usage is pruned', async () => {
  const report = (hash: string, count: number, batchId?: string) => ({
    ...(batchId ? { batchId } : {}),
    operations: [{ hash, document: '{ field0 }', coordinates: ['Query.field0'], client: 'web', count }],
  });
  // 20 reports of 3 requests, half to each replica, all at once.
  await Promise.all(Array.from({ length: 20 }, (_, i) => client(i % 2).reportUsage(report('shared-operation', 3))));
  // One batch sent to both replicas (a retry after a lost answer): counted once.
  const answers = await Promise.all(
    [0, 1].map((i) => client(i).reportUsage(report('retried-operation', 11, 'batch-0001'))),
  );
  expect(answers.filter((a) => a.duplicate).length).toBe(1);
  const counts = Object.fromEntries(
    (await sql`select hash, sum(count)::int as requests from registry.usage group by hash`).map((r) => [
      r.hash,
      r.requests,
    ]),
  );
  expect(counts['shared-operation']).toBe(60);
  expect(counts['retried-operation']).toBe(11);
  expect(counts['recent-operation']).toBe(7);
  expect(counts['old-operation']).toBeUndefined();
});
