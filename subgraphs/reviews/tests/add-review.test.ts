import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestIssuer } from '../../../tests/support/tokens';
import { errorCodes } from '../../../tests/support/graphql';
import { ADD_REVIEW, startReviewsStack, type ReviewsStack } from './harness';

let stack: ReviewsStack;

beforeAll(async () => {
  stack = await startReviewsStack('reviews_add', 4);
});

afterAll(async () => {
  await stack?.stop();
});

const RATING = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Model { id rating { count average } reviews { totalCount } }
    }
  }
`;

async function ratingOf(modelId: string) {
  const response = await stack.query(RATING, { representations: [{ __typename: 'Model', id: modelId }] });
  expect(response.errors).toBeUndefined();
  return response.data._entities[0] as {
    rating: { count: number; average: number } | null;
    reviews: { totalCount: number };
  };
}

/** Reviews as `userId` (a new account by default; null: without a token). */
async function addReview(input: Record<string, unknown>, userId?: string | null) {
  const author = userId === undefined ? await stack.signUp() : userId;
  const token = author ? await stack.issuer.sign(author) : undefined;
  return stack.query(ADD_REVIEW, { input }, token);
}

const reviewCount = async () => Number((await stack.sql`select count(*) from reviews.reviews`)[0]!.count);

describe('addReview', () => {
  test('stores a review of a catalog model by the signed-in user, text trimmed', async () => {
    const userId = await stack.signUp();
    const response = await addReview(
      { modelId: stack.modelIds[0], rating: 5, text: '   Smooth ride and cheap to run.  ' },
      userId,
    );
    expect(response.errors).toBeUndefined();
    const review = response.data.addReview;
    expect(review).toMatchObject({
      rating: 5,
      text: 'Smooth ride and cheap to run.',
      author: { id: userId },
      model: { id: stack.modelIds[0] },
    });
    expect(Date.now() - Date.parse(review.createdAt)).toBeLessThan(60_000);

    const fetched = await stack.query('query ($id: ID!) { review(id: $id) { id text author { id } } }', {
      id: review.id,
    });
    expect(fetched.data.review).toEqual({
      id: review.id,
      text: 'Smooth ride and cheap to run.',
      author: { id: userId },
    });
  });

  test('keeps the rating summary in step: null before any review, then count and average', async () => {
    const modelId = stack.modelIds[1]!;
    expect(await ratingOf(modelId)).toMatchObject({ rating: null, reviews: { totalCount: 0 } });
    for (const rating of [5, 4, 2]) {
      const response = await addReview({ modelId, rating, text: 'Reasonable car for the money.' });
      expect(response.errors).toBeUndefined();
    }
    const summary = await ratingOf(modelId);
    expect(summary.rating!.count).toBe(3);
    expect(summary.rating!.average).toBeCloseTo(11 / 3, 10);
    expect(summary.reviews.totalCount).toBe(3);
  });

  test('a second review of the same model by the same user is a CONFLICT', async () => {
    const userId = await stack.signUp();
    const modelId = stack.modelIds[2]!;
    expect(
      (await addReview({ modelId, rating: 3, text: 'First impressions are good.' }, userId)).errors,
    ).toBeUndefined();
    const again = await addReview({ modelId, rating: 1, text: 'Changed my mind entirely.' }, userId);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0]!.message).toContain('already reviewed this model');
    expect((await ratingOf(modelId)).rating).toEqual({ count: 1, average: 3 });
  });

  test('concurrent duplicates: exactly one succeeds, the rest are CONFLICT, the summary counts one', async () => {
    const userId = await stack.signUp();
    const token = await stack.issuer.sign(userId);
    const modelId = stack.modelIds[3]!;
    const before = (await ratingOf(modelId)).rating?.count ?? 0;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack.query(ADD_REVIEW, { input: { modelId, rating: 4, text: 'Racing to review this.' } }, token),
      ),
    );
    const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
    const after = await ratingOf(modelId);
    expect(after.rating!.count).toBe(before + 1);
    expect(after.reviews.totalCount).toBe(after.rating!.count);
  });
});

describe('addReview validation', () => {
  const modelId = () => stack.modelIds[0]!;
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['rating 0', () => ({ modelId: modelId(), rating: 0, text: 'Long enough text here.' }), 'rating'],
    ['rating 6', () => ({ modelId: modelId(), rating: 6, text: 'Long enough text here.' }), 'rating'],
    [
      'text of 9 characters after trimming',
      () => ({ modelId: modelId(), rating: 3, text: '   123456789      ' }),
      'text',
    ],
    ['text of 5001 characters', () => ({ modelId: modelId(), rating: 3, text: 'x'.repeat(5001) }), 'text'],
    ['a malformed modelId', () => ({ modelId: 'camry', rating: 3, text: 'Long enough text here.' }), 'modelId'],
  ];
  for (const [label, input, field] of cases) {
    test(`${label} is BAD_USER_INPUT naming ${field}, and nothing is written`, async () => {
      const before = await reviewCount();
      const response = await addReview(input());
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe(field);
      expect(response.errors![0]!.message).toContain(field);
      expect(await reviewCount()).toBe(before);
    });
  }

  test('the boundaries are allowed: 10 and 5000 characters, ratings 1 and 5', async () => {
    const ten = await addReview({ modelId: modelId(), rating: 1, text: ' 0123456789 ' });
    const long = await addReview({ modelId: modelId(), rating: 5, text: 'ё'.repeat(5000) });
    expect(ten.errors).toBeUndefined();
    expect(long.errors).toBeUndefined();
    expect(ten.data.addReview.text).toBe('0123456789');
    expect(long.data.addReview.text).toHaveLength(5000);
  });

  test('an unknown model is NOT_FOUND (asked of the real catalog)', async () => {
    const before = await reviewCount();
    const unknown = '00000000-0000-4000-8000-000000000042';
    const response = await addReview({ modelId: unknown, rating: 4, text: 'This model does not exist.' });
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(response.errors![0]!.message).toContain(unknown);
    expect(await reviewCount()).toBe(before);
  });
});

describe('authentication', () => {
  const input = () => ({ modelId: stack.modelIds[0], rating: 4, text: 'Anonymous opinions are not allowed.' });

  test('without a token: UNAUTHENTICATED and nothing written', async () => {
    const before = await reviewCount();
    const response = await addReview(input(), null);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(await reviewCount()).toBe(before);
  });

  test('an expired token is UNAUTHENTICATED', async () => {
    const token = await stack.issuer.sign(crypto.randomUUID(), ['BUYER'], Math.floor(Date.now() / 1000) - 60);
    const response = await stack.query(ADD_REVIEW, { input: input() }, token);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0]!.message).toContain('expired');
  });

  test('a token signed by another key is UNAUTHENTICATED', async () => {
    const forger = await createTestIssuer(); // same kid, issuer and audience; different private key
    try {
      const response = await stack.query(ADD_REVIEW, { input: input() }, await forger.sign(crypto.randomUUID()));
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    } finally {
      forger.stop();
    }
  });

  test('a token whose subject is not a user ID cannot write', async () => {
    const response = await addReview(input(), 'admin');
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});
