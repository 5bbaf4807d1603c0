import postgres from 'postgres';

/** One subgraph request (the gateway's, but for `floor`), and how its variables vary request to request. */
export interface Hop {
  subgraph: 'offers' | 'users';
  name: string;
  /** Exactly what Hive Gateway's Rust planner sends to the subgraph (captured from its fetch). */
  query: string;
  /** Values read once from the database before the load (ids, so requests hit real rows). */
  prepare(databaseUrl: string): Promise<() => Record<string, unknown>>;
}

const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * The two hops of `offer-list-2hop` (perf/scenarios): the page of offers ordered by price with a
 * price floor per request, then the sellers' names through `_entities`. Varied as the scenario
 * varies them: identical requests would measure nothing a real audience causes.
 */
export const HOPS: Record<string, Hop> = {
  offers: {
    subgraph: 'offers',
    name: 'offers(first: 10, priceMin, PRICE_ASC)',
    query:
      'query($priceMin:Int){offers(filter: {priceMin: $priceMin}, first: 10, orderBy: PRICE_ASC)' +
      '{edges{node{id title price seller{__typename id}}}}}',
    // The scenario's floors: 50,000 ₽ to 3,000,000 ₽ in 1,000 ₽ steps, in kopecks.
    prepare: async () => () => ({ priceMin: randomInt(50, 3_000) * 100_000 }),
  },
  users: {
    subgraph: 'users',
    name: '_entities(10 × User { name })',
    query: 'query($representations:[_Any!]!){_entities(representations: $representations){...on User{name}}}',
    prepare: async (databaseUrl) => {
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql<{ id: string }[]>`select id from users.users`;
        if (rows.length < 10) throw new Error('users.users has fewer than 10 rows: is the database seeded?');
        const ids = rows.map((row) => row.id);
        // Ten distinct sellers per request, as a page of ten offers mostly has.
        return () => {
          const picked = new Set<string>();
          while (picked.size < 10) picked.add(ids[randomInt(0, ids.length - 1)]!);
          return { representations: [...picked].map((id) => ({ __typename: 'User', id })) };
        };
      } finally {
        await sql.end();
      }
    },
  },
  /**
   * Not the gateway's: what any request costs the offers process before a resolver runs (HTTP,
   * Yoga, the framework's plugins), no SQL. The same document every time is right here: nothing
   * downstream could deduplicate or cache it.
   */
  floor: {
    subgraph: 'offers',
    name: '{ __typename } (the per-request floor)',
    query: '{__typename}',
    prepare: async () => () => ({}),
  },
};
