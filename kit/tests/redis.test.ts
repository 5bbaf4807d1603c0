import { describe, expect, test } from 'bun:test';
import { readGatewayEnv } from '../../gateway/config';
import { readLauncherEnv } from '../../launcher/config';
import { subgraphConfigSchema } from '../../subgraphs/framework/subgraph-config';
import { ConfigError, parseConfig } from '../config';
import { redisEnv, redisOptions, redisTarget, redisTargetEnv } from '../redis';

const issuesOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const SENTINELS = {
  REDIS_URL: 'rediss://app:p%40ss@ignored:1/3',
  REDIS_SENTINELS: '10.0.0.5:26379, sentinel-b:26380,[::1]:26381,sentinel-c',
  REDIS_SENTINEL_NAME: 'autograph',
};

describe('REDIS_SENTINELS and REDIS_SENTINEL_NAME', () => {
  test('become a target every service reads the same way', () => {
    const expected = {
      url: SENTINELS.REDIS_URL,
      sentinel: {
        name: 'autograph',
        nodes: [
          { host: '10.0.0.5', port: 26379 },
          { host: 'sentinel-b', port: 26380 },
          { host: '::1', port: 26381 },
          { host: 'sentinel-c', port: 26379 },
        ],
      },
    };
    expect(readGatewayEnv(SENTINELS).redis.target).toEqual(expected);
    expect(
      parseConfig(subgraphConfigSchema('catalog'), { DATABASE_URL: 'postgres://h/db', ...SENTINELS }).redis,
    ).toEqual(expected);
    expect(redisTarget(readLauncherEnv(SENTINELS, () => 'x'.repeat(43)))).toEqual(expected);
    // What `bun start` hands its children reads back as the same target.
    expect(redisTarget(parseConfig(redisEnv, redisTargetEnv(expected)))).toEqual(expected);
  });

  test('REDIS_URL still gives credentials, database and TLS; the sentinels give the address', () => {
    const options = redisOptions(redisTarget(parseConfig(redisEnv, SENTINELS))!);
    expect(options).toMatchObject({ username: 'app', password: 'p@ss', db: 3, tls: {}, name: 'autograph' });
    expect(options.enableTLSForSentinelMode).toBe(true);
    expect(options.host).toBeUndefined();
    expect(options.sentinels).toHaveLength(4);
    expect(redisOptions({ url: 'redis://[::1]:6380' })).toMatchObject({ host: '::1', port: 6380, db: 0 });
  });

  test('a wrong or incomplete combination stops the start, naming the variable', () => {
    expect(issuesOf(() => readGatewayEnv({ ...SENTINELS, REDIS_SENTINEL_NAME: undefined }))).toContain(
      'REDIS_SENTINEL_NAME (unset): must be set with REDIS_SENTINELS',
    );
    expect(issuesOf(() => readGatewayEnv({ REDIS_SENTINEL_NAME: 'autograph' }))).toContain(
      'REDIS_SENTINELS (unset): must be set with REDIS_SENTINEL_NAME',
    );
    expect(issuesOf(() => readGatewayEnv({ ...SENTINELS, REDIS_URL: undefined }))).toContain(
      'REDIS_URL (unset): must be set with REDIS_SENTINELS',
    );
    expect(
      issuesOf(() => readGatewayEnv({ ...SENTINELS, REDIS_SENTINELS: '10.0.0.5:26379,10.0.0.6:99999' })),
    ).toContain('REDIS_SENTINELS ("10.0.0.5:26379,10.0.0.6:99999"): "10.0.0.6:99999" is not host:port');
    expect(issuesOf(() => readGatewayEnv({ ...SENTINELS, REDIS_SENTINELS: '' }))).toContain('REDIS_SENTINELS ("")');
    expect(
      issuesOf(() =>
        parseConfig(subgraphConfigSchema('offers'), {
          DATABASE_URL: 'postgres://h/db',
          ...SENTINELS,
          REDIS_SENTINEL_NAME: 'no spaces',
        }),
      ),
    ).toContain('REDIS_SENTINEL_NAME ("no spaces")');
    expect(issuesOf(() => readLauncherEnv({ REDIS_SENTINELS: 'a:1' }))).toContain('REDIS_SENTINEL_NAME (unset)');
  });
});
