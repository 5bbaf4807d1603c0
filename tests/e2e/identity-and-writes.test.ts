import { beforeAll, describe, expect, test } from 'bun:test';
import { importJWK, SignJWT, type JWK } from 'jose';
import postgres from 'postgres';
import { createTestIssuer } from '../support/tokens';
import { errorCodes, eventually, gql } from '../support/graphql';
import { getSystem } from '../support/system';

let gateway: string;
let databaseUrl: string;
let someModelId: string;

const AUTH_FIELDS = 'accessToken refreshToken expiresAt viewer { email roles user { id name } }';

async function register(suffix: string, kind: 'PRIVATE' | 'DEALER' = 'PRIVATE') {
  const email = `e2e-${suffix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const response = await gql(
    gateway,
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    {
      input: { email, password: 'correct horse battery', name: `E2E ${suffix}`, city: 'Kazan', kind },
    },
  );
  expect(response.errors).toBeUndefined();
  return { email, ...response.data.register };
}

const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id title price status seller { id name } model { id name make { name } } } }`;
const offerInput = (overrides: Record<string, unknown> = {}) => ({
  modelId: someModelId,
  title: `Well kept car ${crypto.randomUUID().slice(0, 6)}`,
  price: 1_250_000_00,
  year: 2019,
  mileageKm: 64_000,
  city: 'Kazan',
  ...overrides,
});

beforeAll(async () => {
  const system = await getSystem();
  gateway = system.gatewayUrl;
  databaseUrl = system.databaseUrl;
  const makes = await gql(gateway, `{ makes { models { id } } }`);
  someModelId = makes.data.makes[0].models[0].id;
}, 180_000);

describe('identity through the gateway', () => {
  test('register, me, login', async () => {
    const account = await register('me');
    const me = await gql(gateway, `{ me { email user { id name } } }`, {}, { token: account.accessToken });
    expect(me.data.me).toEqual({ email: account.email, user: account.viewer.user });
    const anonymous = await gql(gateway, `{ me { email } }`);
    expect(anonymous.data.me).toBeNull();

    const login = await gql(
      gateway,
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      {
        e: account.email.toUpperCase(),
        p: 'correct horse battery',
      },
    );
    expect(login.errors).toBeUndefined();
    const wrong = await gql(
      gateway,
      `mutation($e: String!) { login(email: $e, password: "wrong password") { accessToken } }`,
      { e: account.email },
    );
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
  });

  test('refresh rotates; reusing a rotated token revokes the whole session', async () => {
    const account = await register('refresh');
    const refresh = (token: string) =>
      gql(gateway, `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`, {
        t: token,
      });
    const first = await refresh(account.refreshToken);
    expect(first.errors).toBeUndefined();
    expect(first.data.refreshSession.refreshToken).not.toBe(account.refreshToken);

    const reuse = await refresh(account.refreshToken);
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    // The token issued by the legitimate rotation dies with its family.
    const afterReuse = await refresh(first.data.refreshSession.refreshToken);
    expect(errorCodes(afterReuse)).toEqual(['UNAUTHENTICATED']);
  });

  test('expired and forged access tokens are rejected', async () => {
    const account = await register('tokens');
    const sql = postgres(databaseUrl, { max: 1 });
    const [key] = await sql`select kid, private_jwk from users.signing_keys order by created_at desc limit 1`;
    await sql.end();
    const privateKey = await importJWK(key!.private_jwk as JWK, 'ES256');
    const expired = await new SignJWT({ roles: ['BUYER', 'SELLER'] })
      .setProtectedHeader({ alg: 'ES256', kid: key!.kid })
      .setSubject(account.viewer.user.id)
      .setIssuer('autograph')
      .setAudience('autograph-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(privateKey);
    const withExpired = await gql(gateway, `{ me { email } }`, {}, { token: expired });
    expect(withExpired.data?.me ?? null).toBeNull();
    expect(withExpired.status).toBe(401);
    expect(errorCodes(withExpired)).toEqual(['UNAUTHENTICATED']);

    const forger = await createTestIssuer();
    const forged = await forger.sign(account.viewer.user.id);
    forger.stop();
    const withForged = await gql(gateway, `{ me { email } }`, {}, { token: forged });
    expect(withForged.data?.me ?? null).toBeNull();
    expect(withForged.status).toBe(401);
    expect(errorCodes(withForged)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('writes through the gateway', () => {
  test('an offer: created by its seller, guarded against others, searchable soon after', async () => {
    const seller = await register('seller');
    const other = await register('other');

    const anonymous = await gql(gateway, CREATE_OFFER, { input: offerInput() });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);

    const title = `Searchable ${crypto.randomUUID().slice(0, 8)} edition`;
    const created = await gql(gateway, CREATE_OFFER, { input: offerInput({ title }) }, { token: seller.accessToken });
    expect(created.errors).toBeUndefined();
    const offer = created.data.createOffer;
    expect(offer.seller).toEqual(seller.viewer.user);
    expect(offer.status).toBe('ACTIVE');

    const mine = await gql(
      gateway,
      `query($id: ID!) { user(id: $id) { offers(first: 5) { edges { node { id } } } } }`,
      { id: seller.viewer.user.id },
    );
    expect(mine.data.user.offers.edges.map((e: any) => e.node.id)).toContain(offer.id);

    const stolen = await gql(
      gateway,
      `mutation($id: ID!) { updateOfferPrice(id: $id, price: 100) { id } }`,
      { id: offer.id },
      { token: other.accessToken },
    );
    expect(errorCodes(stolen)).toEqual(['FORBIDDEN']);
    const repriced = await gql(
      gateway,
      `mutation($id: ID!) { updateOfferPrice(id: $id, price: 99900000) { price } }`,
      { id: offer.id },
      { token: seller.accessToken },
    );
    expect(repriced.data.updateOfferPrice.price).toBe(99_900_000);

    const word = title.split(' ')[1]!;
    const found = await eventually(async () => {
      const search = await gql(
        gateway,
        `query($q: String!) { searchOffers(text: $q) { totalCount offers { id price } } }`,
        { q: word },
      );
      return search.data?.searchOffers.totalCount === 1 && search.data.searchOffers.offers[0].price === 99_900_000
        ? search
        : null;
    }, 15_000);
    expect(found.data.searchOffers.offers[0].id).toBe(offer.id);

    const sold = await gql(
      gateway,
      `mutation($id: ID!) { setOfferStatus(id: $id, status: SOLD) { status } }`,
      { id: offer.id },
      { token: seller.accessToken },
    );
    expect(sold.data.setOfferStatus.status).toBe('SOLD');
    await eventually(async () => {
      const search = await gql(gateway, `query($q: String!) { searchOffers(text: $q) { totalCount } }`, { q: word });
      return search.data?.searchOffers.totalCount === 0;
    }, 15_000);
  });

  test('invalid offers and reviews are refused with clear codes', async () => {
    const seller = await register('invalid');
    const cheap = await gql(gateway, CREATE_OFFER, { input: offerInput({ price: 0 }) }, { token: seller.accessToken });
    expect(errorCodes(cheap)).toEqual(['BAD_USER_INPUT']);
    const ancient = await gql(
      gateway,
      CREATE_OFFER,
      { input: offerInput({ year: 1800 }) },
      { token: seller.accessToken },
    );
    expect(errorCodes(ancient)).toEqual(['BAD_USER_INPUT']);
    const unknownModel = await gql(
      gateway,
      CREATE_OFFER,
      { input: offerInput({ modelId: crypto.randomUUID() }) },
      { token: seller.accessToken },
    );
    expect(errorCodes(unknownModel)).toEqual(['NOT_FOUND']);

    const ADD_REVIEW = `mutation($input: AddReviewInput!) { addReview(input: $input) { id rating model { id rating { count } } author { id } } }`;
    const badRating = await gql(
      gateway,
      ADD_REVIEW,
      { input: { modelId: someModelId, rating: 7, text: 'Ten characters at least' } },
      { token: seller.accessToken },
    );
    expect(errorCodes(badRating)).toEqual(['BAD_USER_INPUT']);
    const shortText = await gql(
      gateway,
      ADD_REVIEW,
      { input: { modelId: someModelId, rating: 4, text: 'short' } },
      { token: seller.accessToken },
    );
    expect(errorCodes(shortText)).toEqual(['BAD_USER_INPUT']);
    const anonymous = await gql(gateway, ADD_REVIEW, {
      input: { modelId: someModelId, rating: 4, text: 'Anonymous opinions are not accepted' },
    });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);

    const before = await gql(gateway, `query($id: ID!) { model(id: $id) { rating { count } } }`, { id: someModelId });
    const added = await gql(
      gateway,
      ADD_REVIEW,
      { input: { modelId: someModelId, rating: 5, text: 'Reliable and cheap to run' } },
      { token: seller.accessToken },
    );
    expect(added.errors).toBeUndefined();
    expect(added.data.addReview.author.id).toBe(seller.viewer.user.id);
    expect(added.data.addReview.model.rating.count).toBe((before.data.model.rating?.count ?? 0) + 1);
    const twice = await gql(
      gateway,
      ADD_REVIEW,
      { input: { modelId: someModelId, rating: 5, text: 'Reliable and cheap to run' } },
      { token: seller.accessToken },
    );
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
  });
});

describe('accounts that change or go', () => {
  const withSql = async <T>(run: (sql: postgres.Sql) => Promise<T>) => {
    const sql = postgres(databaseUrl, { max: 1 });
    try {
      return await run(sql);
    } finally {
      await sql.end();
    }
  };

  test("a deleted account's still valid access token writes nothing", async () => {
    const seller = await register('deleted');
    expect(
      (await gql(gateway, CREATE_OFFER, { input: offerInput() }, { token: seller.accessToken })).errors,
    ).toBeUndefined();
    await withSql((sql) => sql`delete from users.users where id = ${seller.viewer.user.id}`);
    const after = await gql(gateway, CREATE_OFFER, { input: offerInput() }, { token: seller.accessToken });
    expect(errorCodes(after)).toEqual(['UNAUTHENTICATED']);
    const offers = await withSql(
      (sql) => sql`select count(*)::int as n from offers.offers where seller_id = ${seller.viewer.user.id}`,
    );
    expect(offers[0]!.n).toBe(1);
  });

  test('a deactivated account can neither write nor refresh its session', async () => {
    const account = await register('deactivated');
    await withSql((sql) => sql`update users.users set deactivated_at = now() where id = ${account.viewer.user.id}`);
    const ADD_REVIEW = `mutation($input: AddReviewInput!) { addReview(input: $input) { id } }`;
    expect(
      errorCodes(
        await gql(
          gateway,
          ADD_REVIEW,
          { input: { modelId: someModelId, rating: 4, text: 'Written after deactivation' } },
          { token: account.accessToken },
        ),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    const refresh = await gql(gateway, `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`, {
      t: account.refreshToken,
    });
    expect(errorCodes(refresh)).toEqual(['UNAUTHENTICATED']);
  });

  test('DEALER is requested at sign-up and granted by a moderator; only then does the token carry it', async () => {
    const applicant = await register('dealer', 'DEALER');
    expect(applicant.viewer.roles).toEqual(['BUYER', 'SELLER']);
    const moderatorAccount = await register('moderator');
    await withSql(
      (sql) => sql`update users.users set roles = '{BUYER,MODERATOR}' where id = ${moderatorAccount.viewer.user.id}`,
    );
    const moderator = await gql(
      gateway,
      `mutation($e: String!) { login(email: $e, password: "correct horse battery") { accessToken } }`,
      { e: moderatorAccount.email },
    );
    const queue = await gql(
      gateway,
      `{ dealerApplications(first: 100) { edges { node { id user { id } } } } }`,
      {},
      { token: moderator.data.login.accessToken },
    );
    const application = queue.data.dealerApplications.edges.find(
      (e: any) => e.node.user.id === applicant.viewer.user.id,
    ).node;

    const APPROVE = `mutation($id: ID!) { approveDealerApplication(id: $id) { status user { kind } } }`;
    expect(errorCodes(await gql(gateway, APPROVE, { id: application.id }, { token: applicant.accessToken }))).toEqual([
      'FORBIDDEN',
    ]);
    const approved = await gql(gateway, APPROVE, { id: application.id }, { token: moderator.data.login.accessToken });
    expect(approved.data.approveDealerApplication).toEqual({ status: 'APPROVED', user: { kind: 'DEALER' } });
    const refreshed = await gql(
      gateway,
      `mutation($t: String!) { refreshSession(refreshToken: $t) { viewer { roles } } }`,
      { t: applicant.refreshToken },
    );
    expect(refreshed.data.refreshSession.viewer.roles).toEqual(['BUYER', 'SELLER', 'DEALER']);
  });

  test("the users subgraph's account status for peers is not part of the public API", async () => {
    const account = await register('inaccessible');
    const response = await gql(gateway, `query($id: ID!) { user(id: $id) { id active } }`, {
      id: account.viewer.user.id,
    });
    expect(response.data?.user ?? null).toBeNull();
    expect(response.errors?.length).toBeGreaterThan(0);
  });

  test('repeated wrong passwords lock the account, with a code and a retry time the client can use', async () => {
    const account = await register('throttled');
    const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;
    for (let i = 0; i < 5; i++)
      expect(errorCodes(await gql(gateway, LOGIN, { e: account.email, p: 'wrong password' }))).toEqual([
        'UNAUTHENTICATED',
      ]);
    const locked = await gql(gateway, LOGIN, { e: account.email, p: 'correct horse battery' });
    expect(errorCodes(locked)).toEqual(['TOO_MANY_ATTEMPTS']);
    expect(locked.errors![0]!.extensions!.retryAfter).toBeGreaterThan(0);
  });
});
