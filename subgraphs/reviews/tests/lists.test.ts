import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorCodes } from '../../../tests/support/graphql';
import { encodeCursor } from '../../framework';
import { insertReview, startReviewsStack, type ReviewsStack } from './harness';

let stack: ReviewsStack;
/** Model 0's 25 reviews in the order the API must return them: newest first, then higher id first. */
let expectedOrder: string[];
/** Reviews per model for models 1..19 (model i has i % 5). */
const counts = new Map<string, number>();
const author = crypto.randomUUID();
let authorReviews: string[];

// Two reviews share each timestamp (ties broken by id) and neighbours differ by one microsecond,
// all within one millisecond: a cursor that kept only milliseconds would skip or repeat rows.
const at = (micros: number) => `2024-03-01T10:00:00.${String(micros).padStart(6, '0')}Z`;

beforeAll(async () => {
  stack = await startReviewsStack('reviews_lists', 20);
  const [first, ...others] = stack.modelIds;
  const rows: { id: string; micros: number }[] = [];
  for (let i = 0; i < 25; i++) {
    const micros = Math.floor(i / 2);
    rows.push({ id: await insertReview(stack.sql, { modelId: first!, createdAt: at(micros) }), micros });
  }
  rows.sort((a, b) => b.micros - a.micros || (a.id < b.id ? 1 : -1));
  expectedOrder = rows.map((r) => r.id);

  for (const [index, modelId] of others.entries()) {
    const count = (index + 1) % 5;
    counts.set(modelId, count);
    for (let j = 0; j < count; j++) await insertReview(stack.sql, { modelId, createdAt: at(100 + j) });
  }

  // One author across three models, written on three different days.
  authorReviews = [];
  for (const [day, modelId] of [
    [3, others[0]!],
    [5, others[1]!],
    [4, others[2]!],
  ] as const) {
    authorReviews.push(
      await insertReview(stack.sql, { modelId, authorId: author, createdAt: `2024-04-0${day}T12:00:00Z` }),
    );
  }
  counts.set(others[0]!, counts.get(others[0]!)! + 1);
  counts.set(others[1]!, counts.get(others[1]!)! + 1);
  counts.set(others[2]!, counts.get(others[2]!)! + 1);
});

afterAll(async () => {
  await stack?.stop();
});

const MODEL_REVIEWS = /* GraphQL */ `
  query ($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on Model {
        id
        rating { count }
        reviews(first: $first, after: $after) {
          totalCount
          edges { cursor node { id model { id } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

async function modelReviews(modelId: string, variables: { first?: number; after?: string } = {}) {
  return stack.query(MODEL_REVIEWS, { representations: [{ __typename: 'Model', id: modelId }], ...variables });
}

describe('Model.reviews pagination', () => {
  test('walks every review newest first, page by page, with hasNextPage and endCursor', async () => {
    const seen: string[] = [];
    const hasNext: boolean[] = [];
    let after: string | undefined;
    do {
      const response = await modelReviews(stack.modelIds[0]!, { first: 10, after });
      expect(response.errors).toBeUndefined();
      const { reviews } = response.data._entities[0];
      expect(reviews.totalCount).toBe(25);
      expect(reviews.pageInfo.endCursor).toBe(reviews.edges.at(-1).cursor);
      for (const edge of reviews.edges) {
        expect(edge.node.model.id).toBe(stack.modelIds[0]);
        seen.push(edge.node.id);
      }
      hasNext.push(reviews.pageInfo.hasNextPage);
      after = reviews.pageInfo.hasNextPage ? reviews.pageInfo.endCursor : undefined;
    } while (after && hasNext.length < 10);
    expect(hasNext).toEqual([true, true, false]);
    expect(seen).toEqual(expectedOrder);
  });

  test('first defaults to 20; first: 0 returns no edges but says there are more', async () => {
    const byDefault = await modelReviews(stack.modelIds[0]!);
    expect(byDefault.data._entities[0].reviews.edges.map((e: any) => e.node.id)).toEqual(expectedOrder.slice(0, 20));
    const none = await modelReviews(stack.modelIds[0]!, { first: 0 });
    expect(none.data._entities[0].reviews).toMatchObject({
      edges: [],
      pageInfo: { hasNextPage: true, endCursor: null },
    });
  });

  test('first above 100 or below 0 is BAD_USER_INPUT', async () => {
    for (const first of [101, -1]) {
      const response = await modelReviews(stack.modelIds[0]!, { first });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('first');
    }
    expect(errorCodes(await modelReviews(stack.modelIds[0]!, { first: 100 }))).toEqual([]);
  });

  test('a garbage or foreign cursor is BAD_USER_INPUT, never a database error', async () => {
    const cursors = [
      'garbage',
      encodeCursor('offers:created_desc', ['2024-03-01T10:00:00.000000Z', expectedOrder[0]!]),
      encodeCursor('reviews:created_desc', ['yesterday', expectedOrder[0]!]),
      encodeCursor('reviews:created_desc', ['2024-03-01T10:00:00.000000Z', 'not-a-uuid']),
      encodeCursor('reviews:created_desc', ['2024-03-01T10:00:00.000000Z']),
    ];
    for (const after of cursors) {
      const response = await modelReviews(stack.modelIds[0]!, { first: 5, after });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('after');
    }
  });
});

describe('Model.reviews and rating across many models', () => {
  const BATCH = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Model {
          id
          rating { count average }
          reviews(first: 3) { totalCount edges { node { id rating model { id } } } pageInfo { hasNextPage } }
        }
      }
    }
  `;

  async function resolve(modelIds: string[]) {
    const before = await stack.statements();
    const response = await stack.query(BATCH, { representations: modelIds.map((id) => ({ __typename: 'Model', id })) });
    const used = (await stack.statements()) - before;
    expect(response.errors).toBeUndefined();
    return { used, models: response.data._entities as any[] };
  }

  test('each model gets its own reviews, and rating.count equals totalCount', async () => {
    const { models } = await resolve(stack.modelIds);
    expect(models.map((m) => m.id)).toEqual(stack.modelIds);
    for (const model of models) {
      const count = counts.get(model.id) ?? 25;
      expect(model.reviews.totalCount).toBe(count);
      expect(model.rating?.count ?? 0).toBe(count);
      expect(model.rating === null).toBe(count === 0);
      expect(model.reviews.edges).toHaveLength(Math.min(3, count));
      expect(model.reviews.pageInfo.hasNextPage).toBe(count > 3);
      expect(model.reviews.edges.every((e: any) => e.node.model.id === model.id)).toBe(true);
    }
  });

  test('SQL statements are the same for 2 models and for 20', async () => {
    await resolve(stack.modelIds.slice(0, 2)); // warm-up
    const forTwo = (await resolve(stack.modelIds.slice(0, 2))).used;
    const forTwenty = (await resolve(stack.modelIds)).used;
    expect(forTwo).toBeGreaterThan(0);
    expect(forTwenty).toBe(forTwo);
  });

  test('different page sizes in one request each get the right rows', async () => {
    const response = await stack.query(
      /* GraphQL */ `
        query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Model { one: reviews(first: 1) { edges { node { id } } } two: reviews(first: 2) { edges { node { id } } } }
          }
        }
      `,
      { representations: [{ __typename: 'Model', id: stack.modelIds[0] }] },
    );
    expect(response.errors).toBeUndefined();
    const [model] = response.data._entities;
    expect(model.one.edges.map((e: any) => e.node.id)).toEqual(expectedOrder.slice(0, 1));
    expect(model.two.edges.map((e: any) => e.node.id)).toEqual(expectedOrder.slice(0, 2));
  });

  test('a model reference with a malformed id has no rating and no reviews', async () => {
    const response = await modelReviews('not-a-uuid');
    expect(response.errors).toBeUndefined();
    expect(response.data._entities[0]).toMatchObject({ rating: null, reviews: { totalCount: 0, edges: [] } });
  });
});

describe('User.reviews', () => {
  const USER_REVIEWS = /* GraphQL */ `
    query ($representations: [_Any!]!, $after: String) {
      _entities(representations: $representations) {
        ... on User { id reviews(first: 2, after: $after) { totalCount edges { node { id author { id } } } pageInfo { hasNextPage endCursor } } }
      }
    }
  `;

  test("lists the user's reviews newest first, across models, page by page", async () => {
    const representations = [
      { __typename: 'User', id: author },
      { __typename: 'User', id: crypto.randomUUID() },
    ];
    const first = await stack.query(USER_REVIEWS, { representations });
    expect(first.errors).toBeUndefined();
    const [mine, nobody] = first.data._entities;
    const newestFirst = [authorReviews[1], authorReviews[2], authorReviews[0]];
    expect(mine.reviews.totalCount).toBe(3);
    expect(mine.reviews.edges.map((e: any) => e.node.id)).toEqual(newestFirst.slice(0, 2));
    expect(mine.reviews.edges.every((e: any) => e.node.author.id === author)).toBe(true);
    expect(mine.reviews.pageInfo.hasNextPage).toBe(true);
    expect(nobody.reviews).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

    const rest = await stack.query(USER_REVIEWS, {
      representations: representations.slice(0, 1),
      after: mine.reviews.pageInfo.endCursor,
    });
    expect(rest.data._entities[0].reviews.edges.map((e: any) => e.node.id)).toEqual(newestFirst.slice(2));
    expect(rest.data._entities[0].reviews.pageInfo.hasNextPage).toBe(false);
  });
});

describe('Query.review and Review references', () => {
  test('finds a review by id; malformed and unknown ids are null', async () => {
    const id = authorReviews[0]!;
    const response = await stack.query(
      'query ($id: ID!, $bad: ID!, $unknown: ID!) { review(id: $id) { id rating author { id } } bad: review(id: $bad) { id } unknown: review(id: $unknown) { id } }',
      { id, bad: 'nope', unknown: crypto.randomUUID() },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ review: { id, rating: 4, author: { id: author } }, bad: null, unknown: null });
  });

  test('resolves Review entities in order', async () => {
    const response = await stack.query(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Review { id model { id } } } }',
      {
        representations: [
          { __typename: 'Review', id: authorReviews[2] },
          { __typename: 'Review', id: 'garbage' },
          { __typename: 'Review', id: authorReviews[0] },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { id: authorReviews[2], model: { id: stack.modelIds[3] } },
      null,
      { id: authorReviews[0], model: { id: stack.modelIds[1] } },
    ]);
  });
});
