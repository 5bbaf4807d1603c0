import { afterAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { connectDatabase } from '../../../kit/db';
import { createLogger } from '../../../kit/log';
import { gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import type { RunningService } from '../../../kit/service';
import { createSubgraphBuilder } from '../builder';
import type { BaseContext } from '../context';
import { DEFAULT_MAX_OPERATION_NAMES, OTHER_OPERATIONS } from '../operation-metrics';
import { serveSubgraph } from '../server';

const builder = createSubgraphBuilder<BaseContext>();
builder.queryType({
  fields: (t) => ({
    ping: t.string({ resolve: () => 'pong' }),
    broken: t.string({
      nullable: true,
      resolve: () => {
        throw new Error('broken on purpose');
      },
    }),
  }),
});

const services: RunningService[] = [];
afterAll(() => Promise.all(services.map((service) => service.stop())));

function serve(maxOperationNames?: number) {
  const service = serveSubgraph<BaseContext>({
    name: 'framework-test',
    schema: builder.toSchema(),
    port: 0,
    hostname: '127.0.0.1',
    logger: createLogger('framework-test', 'silent'),
    viewerFrom: async () => null,
    extendContext: (base) => base,
    ready: async () => true,
    maxOperationNames,
  });
  services.push(service);
  return service;
}

const run = (service: RunningService, name: string) =>
  fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query ${name} { ping }` }),
  }).then((r) => r.json());

const series = async (service: RunningService, name: string, metric = 'autograph_subgraph_operations_total') =>
  (await (await fetch(`${service.url}/metrics`)).text())
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(`operationName="${name}"`));

test('operation names in the metrics are bounded: past the limit, new names count as one series', async () => {
  expect(DEFAULT_MAX_OPERATION_NAMES).toBeGreaterThan(0);
  const service = serve(2);
  for (const name of ['BoundedA', 'BoundedB', 'BoundedC', 'BoundedD', 'BoundedA'])
    expect(await run(service, name)).toEqual({ data: { ping: 'pong' } });
  expect(await series(service, 'BoundedA')).toEqual([expect.stringMatching(/ 2$/)]);
  expect(await series(service, 'BoundedB')).toHaveLength(1);
  expect(await series(service, 'BoundedC')).toEqual([]);
  expect(await series(service, 'BoundedD')).toEqual([]);
  expect(await series(service, OTHER_OPERATIONS)).toEqual([expect.stringMatching(/ 2$/)]);
});

test("an internal failure is masked for the caller and logged without the statement's parameters", async () => {
  const database = await createTempDatabase('framework_log');
  const connection = connectDatabase({ url: database.url, service: 'framework-log-test', max: 1 }, {});
  const lines: string[] = [];
  const failing = createSubgraphBuilder<BaseContext>();
  failing.queryType({
    fields: (t) => ({
      // As a unique violation on sign-up would: the statement's values are an e-mail and a password hash.
      store: t.string({
        args: { email: t.arg.string({ required: true }) },
        resolve: async (_root, { email }) => {
          await connection.db.execute(sql`select ${email}::int, ${'$argon2id$v=19$SECRET-HASH'}::text`);
          return 'stored';
        },
      }),
    }),
  });
  const service = serveSubgraph<BaseContext>({
    name: 'framework-log-test',
    schema: failing.toSchema(),
    port: 0,
    logger: createLogger('framework-log-test', 'info', { write: (line: string) => void lines.push(line) }),
    viewerFrom: async () => null,
    extendContext: (base) => base,
    ready: async () => true,
  });
  try {
    const response = await gql(service.url, 'query ($e: String!) { store(email: $e) }', {
      e: 'anna.secret@example.com',
    });
    expect(response.errors![0]!.message).toBe('Unexpected error.');
    const logged = lines.join('\n');
    expect(logged).toContain('Failed query: select $1::int, $2::text');
    for (const secret of ['anna.secret@example.com', 'SECRET-HASH']) expect(logged).not.toContain(secret);
  } finally {
    await service.stop();
    await connection.close();
    await database.drop();
  }
});

test('operations, their duration and their errors from every phase are counted per operation', async () => {
  const service = serve();
  const send = (query: string) =>
    fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    }).then((r) => r.json());
  await send('query Counted { ping }');
  await send('query Counted { ping }');
  await send('query Failing { broken a: broken }'); // two execution errors
  await send('query Invalid { nope }'); // a validation error: not executed
  await send('query Unparsable {'); // a syntax error: no operation known
  const errors = 'autograph_subgraph_operation_errors_total';
  expect(await series(service, 'Counted')).toEqual([
    'autograph_subgraph_operations_total{operationType="query",operationName="Counted"} 2',
  ]);
  expect(await series(service, 'Counted', 'autograph_subgraph_operation_duration_seconds_count')).toEqual([
    expect.stringMatching(/ 2$/),
  ]);
  expect(await series(service, 'Failing', errors)).toEqual([expect.stringMatching(/operationType="query".* 2$/)]);
  expect(await series(service, 'Invalid', errors)).toEqual([expect.stringMatching(/ 1$/)]);
  expect(await series(service, 'Invalid')).toEqual([]);
  // Other tests in this process count errors of their own: only the unparsable operation's series is read.
  const unparsable = (await series(service, 'Anonymous', errors)).filter((line) => line.includes('"unknown"'));
  expect(unparsable).toEqual([expect.stringMatching(/ 1$/)]);
});
