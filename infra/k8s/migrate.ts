/**
 * Applies committed migrations: `bun infra/k8s/migrate.ts [service ...]` (every service when none is named).
 *
 * The Kubernetes `migrate` Job runs it for every service before a release's pods start, and each
 * subgraph's and the registry's init container runs it for its own service. It is the same
 * `migrateDatabase` the processes run at start (kit/db.ts): idempotent, and serialised by one
 * session-level advisory lock, so an init container started while the Job migrates waits for the Job
 * and then finds nothing left to do. Init containers are not probed, so a long migration never gets
 * a pod killed by its startup probe.
 *
 * The database is DATABASE_URL, or a subgraph's `<NAME>_DATABASE_URL` when set (as the subgraph reads
 * it). It must reach PostgreSQL directly, not through a pooler in transaction mode: the advisory lock
 * belongs to a session. Exit codes: 0 done, 1 failed, 2 usage error.
 */
import { fileURLToPath } from 'node:url';
import { describeConnectionError, migrateDatabase } from '../../kit/db';
import { SUBGRAPH_NAMES } from '../../subgraphs';

/** Every service that owns migrations, in the order they are applied, with its drizzle-kit folder. */
export const MIGRATIONS: Readonly<Record<string, string>> = {
  registry: fileURLToPath(new URL('../../schema-registry/drizzle', import.meta.url)),
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, fileURLToPath(new URL(`../../subgraphs/${name}/drizzle`, import.meta.url))]),
  ),
};

/** The database a service migrates: its own `<NAME>_DATABASE_URL` for a subgraph, else DATABASE_URL. */
export function databaseUrlFor(service: string, env: Record<string, string | undefined>): string | undefined {
  const own = service === 'registry' ? undefined : env[`${service.toUpperCase()}_DATABASE_URL`];
  return own || env.DATABASE_URL;
}

if (import.meta.main) {
  const named = process.argv.slice(2);
  const unknown = named.filter((service) => !(service in MIGRATIONS));
  if (unknown.length) {
    console.error(
      `unknown service ${unknown.join(', ')}; usage: bun infra/k8s/migrate.ts [${Object.keys(MIGRATIONS).join('|')} ...]`,
    );
    process.exit(2);
  }
  for (const service of named.length ? named : Object.keys(MIGRATIONS)) {
    const url = databaseUrlFor(service, process.env);
    if (!url) {
      console.error(`${service}: DATABASE_URL is not set`);
      process.exit(2);
    }
    const started = Date.now();
    try {
      await migrateDatabase(url, service, MIGRATIONS[service]!);
    } catch (error) {
      const code = (error as { code?: string }).code;
      console.error(`${service}: ${code ? describeConnectionError(url, error) : (error as Error).message}`);
      process.exit(1);
    }
    console.log(`${service}: migrations applied (${Date.now() - started} ms)`);
  }
}
