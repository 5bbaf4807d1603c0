import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { connectDatabase } from '../db';
import { createLogger } from '../log';
import { createTempDatabase } from '../../tests/support/temp-database';

/**
 * Failed statements logged the way services log them (pino, `err`), against the real PostgreSQL:
 * the statement may be logged, its parameters never (they are e-mails, password hashes, search
 * text), not in the message, the stack, the error's properties or its cause.
 */
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let connection: ReturnType<typeof connectDatabase>;

beforeAll(async () => {
  database = await createTempDatabase('kit_log');
  connection = connectDatabase({ url: database.url, service: 'kit-log-test', max: 1 }, {});
  await connection.db.execute(sql`create table accounts (email text primary key, password_hash text not null)`);
});

afterAll(async () => {
  await connection?.close();
  await database?.drop();
});

function captured() {
  const lines: string[] = [];
  const logger = createLogger('kit-log-test', 'info', { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join('\n') };
}

async function failure(statement: Parameters<typeof connection.db.execute>[0]): Promise<unknown> {
  try {
    await connection.db.execute(statement);
  } catch (error) {
    return error;
  }
  throw new Error('the statement did not fail');
}

describe('a failed statement in the logs', () => {
  test('an INSERT that fails keeps its statement and loses its parameters', async () => {
    const secret = { email: 'anna.secret@example.com', hash: '$argon2id$v=19$m=65536,t=2,p=1$SECRETHASH' };
    await connection.db.execute(sql`insert into accounts values (${secret.email}, ${secret.hash})`);
    const error = await failure(sql`insert into accounts values (${secret.email}, ${secret.hash})`);
    // The error itself carries them (drizzle's message and `params`): what must not reach a log line.
    expect(String((error as Error).message)).toContain(secret.email);

    const { logger, text } = captured();
    logger.error({ err: error }, 'request failed');
    logger.error(error as Error);
    logger.warn({ err: (error as Error).message }, 'as a string');
    const logged = text();
    expect(logged).toContain('insert into accounts values ($1, $2)');
    expect(logged).toContain('23505'); // the PostgreSQL code of the cause stays
    for (const value of [secret.email, secret.hash, 'SECRETHASH']) expect(logged).not.toContain(value);
    expect(logged).not.toContain('params');
    expect(logged).not.toContain('parameters');
  });

  test('a value PostgreSQL quotes in its own message is left out too', async () => {
    const error = await failure(sql`select ${'not-a-number-s3cr3t'}::int`);
    const { logger, text } = captured();
    logger.error({ err: error }, 'request failed');
    expect(text()).toContain('invalid input syntax for type integer');
    expect(text()).not.toContain('s3cr3t');
  });

  test('long statements are cut', async () => {
    const long = sql.raw(`select 1 as ${'x'.repeat(3_000)}, `);
    const error = await failure(sql`${long} ${'a-secret-value'}::int`);
    const { logger, text } = captured();
    logger.error({ err: error }, 'request failed');
    const line = JSON.parse(text());
    expect(line.err.message.length).toBeLessThan(2_200);
    expect(text()).not.toContain('a-secret-value');
  });
});
