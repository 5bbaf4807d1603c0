import { describe, expect, test } from 'bun:test';
import { ConfigError, parseConfig } from '../config';
import { subgraphConfigSchema } from '../../subgraphs/framework/subgraph-config';
import { readGatewayEnv } from '../../gateway/config';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration is validated at start, naming the variable', () => {
  test('subgraph: defaults, per-subgraph database override and replicas', () => {
    const config = parseConfig(subgraphConfigSchema('offers'), {
      DATABASE_URL: 'postgres://a@h/db',
      OFFERS_DATABASE_URL: 'postgres://b@h/offers',
      DATABASE_REPLICA_URLS: 'postgres://r1@h/db, postgres://r2@h/db',
    });
    expect(config.port).toBe(4002);
    expect(config.databaseUrl).toBe('postgres://b@h/offers');
    expect(config.replicaUrls).toEqual(['postgres://r1@h/db', 'postgres://r2@h/db']);
    expect(config.jwksUrl).toBe('http://127.0.0.1:4003/.well-known/jwks.json');
    expect(config.prepare).toBe(true);
  });

  test('subgraph: DB_PREPARE is on or off', () => {
    const parse = (value: string) =>
      parseConfig(subgraphConfigSchema('users'), { DATABASE_URL: 'postgres://a@h/db', DB_PREPARE: value }).prepare;
    expect(parse('off')).toBe(false);
    expect(parse('on')).toBe(true);
    expect(problems(() => parse('no')).join('\n')).toContain('DB_PREPARE ("no")');
  });

  test('subgraph: missing or wrong values are named', () => {
    expect(problems(() => parseConfig(subgraphConfigSchema('catalog'), {})).join('\n')).toContain(
      'DATABASE_URL (unset)',
    );
    const issues = problems(() =>
      parseConfig(subgraphConfigSchema('catalog'), {
        DATABASE_URL: 'mysql://x',
        PORT: '99999',
        REDIS_URL: 'http://x',
        LOG_LEVEL: 'loud',
      }),
    ).join('\n');
    for (const name of [
      'DATABASE_URL ("mysql://x")',
      'PORT ("99999")',
      'REDIS_URL ("http://x")',
      'LOG_LEVEL ("loud")',
    ]) {
      expect(issues).toContain(name);
    }
  });

  test('gateway: defaults and a wrong poll interval', () => {
    const options = readGatewayEnv({});
    expect(options.port).toBe(4000);
    expect(options.registry).toEqual({
      url: 'http://127.0.0.1:4010',
      target: 'main',
      token: undefined,
      contract: undefined,
    });
    const contract = readGatewayEnv({ REGISTRY_CONTRACT: 'public' });
    expect(contract.registry.contract).toBe('public');
    expect(contract.supergraphCacheFile).toBe('.data/gateway-supergraph.public.graphql');
    expect(options.supergraphCacheFile).toBe('.data/gateway-supergraph.graphql');
    expect(problems(() => readGatewayEnv({ REGISTRY_CONTRACT: 'Public Contract' })).join()).toContain(
      'REGISTRY_CONTRACT',
    );
    expect(problems(() => readGatewayEnv({ SUPERGRAPH_POLL_INTERVAL_MS: '10' })).join()).toContain(
      'SUPERGRAPH_POLL_INTERVAL_MS ("10")',
    );
    expect(problems(() => readGatewayEnv({ REGISTRY_URL: 'not a url' })).join()).toContain('REGISTRY_URL');
  });
});
