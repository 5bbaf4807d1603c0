import { describe, expect, test } from 'bun:test';
import { ConfigError } from '../../../kit/config';
import { loadReviewsConfig } from '../config';

describe('reviews configuration', () => {
  test('CATALOG_URL defaults to the local catalog', () => {
    expect(loadReviewsConfig({})).toEqual({ catalogUrl: 'http://127.0.0.1:4001/graphql' });
  });

  test('a wrong CATALOG_URL is a ConfigError naming the variable', () => {
    expect(() => loadReviewsConfig({ CATALOG_URL: 'catalog:4001' })).toThrow(ConfigError);
    expect(() => loadReviewsConfig({ CATALOG_URL: 'catalog:4001' })).toThrow(/CATALOG_URL/);
  });
});
