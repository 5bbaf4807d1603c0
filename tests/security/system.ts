import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { generateSecret, startSystem, type RunningSystem } from '../../launcher/system';
import { deleteKeys } from '../federation-oracle/gateways';
import { createTempDatabase } from '../support/temp-database';
import { TEST_REDIS_URL } from '../support/queues';

/** What the attack suite knows about the system it attacks: its addresses and the secrets a leak check looks for. */
export interface TargetSystem {
  system: RunningSystem;
  secrets: {
    hmacSecret: string;
    registryToken: string;
    metricsToken: string;
    /** PKCS#8 PEM of the access-token signing key, so the suite can mint tokens with any claims. */
    signingKeyPem: string;
    signingKeyId: string;
  };
  /** Supervisor lines saying a process exited unexpectedly or was restarted. */
  crashes: string[];
  stop(): Promise<void>;
}

/** Supervisor lines that mean a child died: a crash, a restart or a crash loop. */
const CRASH_LINE = /crash|restart attempt|exited unexpectedly|giving up/i;

/**
 * The whole system as production runs it (NODE_ENV=production everywhere, gateway signatures,
 * a registry token, a metrics token, no rate-limit exemptions), on ephemeral ports, a fresh
 * database on the machine's PostgreSQL and Redis keys under a prefix of its own, removed by `stop`.
 */
export async function startTargetSystem(log: (line: string) => void = () => {}): Promise<TargetSystem> {
  const run = `autograph-security-${process.pid}-${Date.now().toString(36)}`;
  const database = await createTempDatabase('security');
  const secrets = {
    hmacSecret: generateSecret(),
    registryToken: generateSecret(),
    metricsToken: randomBytes(24).toString('base64url'),
    signingKeyPem: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    signingKeyId: 'security-suite-key',
  };
  const crashes: string[] = [];
  const cleanup = async () => {
    await database.drop();
    await deleteKeys(run);
  };
  let system: RunningSystem;
  try {
    system = await startSystem({
      gatewayHmacSecret: secrets.hmacSecret,
      registryToken: secrets.registryToken,
      databaseUrl: database.url,
      redis: { url: TEST_REDIS_URL },
      dataDir: `/tmp/${run}`,
      embeddedPostgresPort: 0,
      registryTarget: 'main',
      seedScale: 'small',
      pollIntervalMs: 1_000,
      logLevel: process.env.SECURITY_LOG_LEVEL ?? 'error',
      ports: { gateway: 0, registry: 0, catalog: 0, offers: 0, users: 0, reviews: 0, search: 0 },
      env: {
        NODE_ENV: 'production',
        METRICS_TOKEN: secrets.metricsToken,
        JWT_PRIVATE_KEY: secrets.signingKeyPem,
        JWT_KEY_ID: secrets.signingKeyId,
        REDIS_KEY_PREFIX: `${run}:gateway:`,
        CATALOG_CACHE_KEY_PREFIX: `${run}:catalog:`,
        QUEUE_PREFIX: run,
        SUPERGRAPH_CACHE_FILE: 'off',
        // Shutdown speed only: the drain delay protects load balancers, not the API.
        DRAIN_DELAY_MS: '0',
      },
      log: (line) => {
        if (CRASH_LINE.test(line)) crashes.push(line);
        log(line);
      },
      output: process.env.SECURITY_LOG_LEVEL ? (service, line) => log(`[${service}] ${line}`) : undefined,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    system,
    secrets,
    crashes,
    async stop() {
      await system.stop();
      await cleanup();
    },
  };
}
