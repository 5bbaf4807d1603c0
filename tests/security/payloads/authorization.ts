import type { Actors } from '../actors';
import { gateway } from '../http';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

/** Refused for this caller: a coded GraphQL error and no data for the field. */
const refusedWith = (code: string | string[], field: string) => ({
  status: [200, 401, 403],
  code,
  check: (o: { body: any }) => (o.body?.data?.[field] ? `${field} answered with data` : null),
});

/** The victim's offer as it is now, read straight from the offers subgraph. */
async function victimOffer(actors: Actors) {
  const result = await actors.subgraph('offers', 'query ($id: ID!) { offer(id: $id) { price status } }', {
    id: actors.victim.offerId,
  });
  return result.data?.offer as { price: number; status: string } | undefined;
}
const offerUntouched = async (actors: Actors) => {
  const offer = await victimOffer(actors);
  if (offer?.price !== actors.victim.offerPrice) return `the victim's price is now ${offer?.price}`;
  return offer.status === 'ACTIVE' ? null : `the victim's offer is now ${offer.status}`;
};

const UPDATE_PRICE = 'mutation ($id: ID!) { updateOfferPrice(id: $id, price: 1) { id price } }';
const SET_STATUS = 'mutation ($id: ID!) { setOfferStatus(id: $id, status: ARCHIVED) { id status } }';
const ME = '{ me { roles user { kind } dealerApplication { status } } }';

const payloads: Payload[] = [
  {
    name: "IDOR: updateOfferPrice on another user's offer",
    category: OWASP.objectAuthorization,
    request: (a) => gateway(UPDATE_PRICE, { id: a.victim.offerId }, a.attacker.accessToken),
    expect: refusedWith('FORBIDDEN', 'updateOfferPrice'),
    verify: offerUntouched,
  },
  {
    name: "IDOR: setOfferStatus on another user's offer",
    category: OWASP.objectAuthorization,
    request: (a) => gateway(SET_STATUS, { id: a.victim.offerId }, a.attacker.accessToken),
    expect: refusedWith('FORBIDDEN', 'setOfferStatus'),
    verify: offerUntouched,
  },
  {
    name: 'IDOR: the same two writes batched under aliases',
    category: OWASP.objectAuthorization,
    request: (a) =>
      gateway(
        'mutation ($id: ID!) { p: updateOfferPrice(id: $id, price: 2) { id } s: setOfferStatus(id: $id, status: SOLD) { id } }',
        { id: a.victim.offerId },
        a.attacker.accessToken,
      ),
    expect: {
      status: [200, 403],
      code: 'FORBIDDEN',
      check: (o) => (o.body?.data?.p || o.body?.data?.s ? 'a write answered' : null),
    },
    verify: offerUntouched,
  },
  {
    name: 'anonymous updateOfferPrice',
    category: OWASP.objectAuthorization,
    request: (a) => gateway(UPDATE_PRICE, { id: a.victim.offerId }),
    expect: refusedWith('UNAUTHENTICATED', 'updateOfferPrice'),
    verify: offerUntouched,
  },
  {
    name: 'createOffer with a sellerId of someone else (mass assignment)',
    category: OWASP.propertyAuthorization,
    request: (a) =>
      gateway(
        'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id seller { id } } }',
        {
          input: {
            modelId: a.modelId,
            title: 'Not mine',
            price: 1,
            year: 2020,
            mileageKm: 1,
            city: 'Kazan',
            sellerId: a.victim.id,
          },
        },
        a.attacker.accessToken,
      ),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  },
  {
    name: 'addReview with an authorId of someone else (mass assignment)',
    category: OWASP.propertyAuthorization,
    request: (a) =>
      gateway(
        'mutation ($input: AddReviewInput!) { addReview(input: $input) { id author { id } } }',
        { input: { modelId: a.modelId, rating: 1, text: 'Written in the victim’s name', authorId: a.victim.id } },
        a.attacker.accessToken,
      ),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  },
  {
    name: 'register with kind: DEALER (role escalation through input)',
    category: OWASP.propertyAuthorization,
    request: gateway(
      'mutation ($input: RegisterInput!) { register(input: $input) { viewer { roles user { kind } } } }',
      {
        input: {
          email: `dealer-${Date.now()}@security.test`,
          password: 'correct horse battery staple',
          name: 'Self-made dealer',
          city: 'Kazan',
          kind: 'DEALER',
        },
      },
    ),
    expect: {
      status: 200,
      check: (o) => {
        const viewer = o.body?.data?.register?.viewer;
        if (!viewer) return 'registration failed';
        return viewer.roles.includes('DEALER') || viewer.user.kind === 'DEALER'
          ? 'the account is a dealer at once'
          : null;
      },
      means: 'a private seller with a pending application, no DEALER role',
    },
  },
  {
    name: 'register with a roles field',
    category: OWASP.propertyAuthorization,
    request: gateway('mutation ($input: RegisterInput!) { register(input: $input) { viewer { roles } } }', {
      input: {
        email: `admin-${Date.now()}@security.test`,
        password: 'correct horse battery staple',
        name: 'Admin',
        city: 'Kazan',
        roles: ['ADMIN'],
      },
    }),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  },
  {
    name: 'register inlines roles as a literal argument',
    category: OWASP.propertyAuthorization,
    request: gateway(
      'mutation { register(input: { email: "x@security.test", password: "correct horse battery staple", name: "x", city: "x", role: ADMIN }) { accessToken } }',
    ),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'approveDealerApplication as an ordinary user',
    category: OWASP.functionAuthorization,
    request: (a) =>
      gateway(
        'mutation ($id: ID!) { approveDealerApplication(id: $id) { status } }',
        { id: '00000000-0000-4000-8000-000000000000' },
        a.attacker.accessToken,
      ),
    expect: refusedWith('FORBIDDEN', 'approveDealerApplication'),
  },
  {
    name: 'dealerApplications (moderators only) as an ordinary user',
    category: OWASP.functionAuthorization,
    request: (a) => gateway('{ dealerApplications { totalCount } }', undefined, a.attacker.accessToken),
    expect: refusedWith('FORBIDDEN', 'dealerApplications'),
  },
  {
    name: 'updateMake (admin only) as an ordinary user',
    category: OWASP.functionAuthorization,
    request: (a) =>
      gateway(
        'mutation ($id: ID!) { updateMake(id: $id, input: { name: "Pwned" }) { name } }',
        { id: a.makeId },
        a.attacker.accessToken,
      ),
    expect: refusedWith('FORBIDDEN', 'updateMake'),
    verify: async (a) => {
      const make = await a.gateway('query ($id: ID!) { make(id: $id) { name } }', { id: a.makeId });
      return make.data?.make?.name === 'Pwned' ? 'the make was renamed' : null;
    },
  },
  {
    name: 'updateModel anonymously',
    category: OWASP.functionAuthorization,
    request: (a) =>
      gateway('mutation ($id: ID!) { updateModel(id: $id, input: { name: "Pwned" }) { name } }', { id: a.modelId }),
    expect: refusedWith('UNAUTHENTICATED', 'updateModel'),
  },
  {
    name: 'me as an ordinary user shows no elevated role',
    category: OWASP.propertyAuthorization,
    request: (a) => gateway(ME, undefined, a.attacker.accessToken),
    expect: {
      status: 200,
      check: (o) => {
        const roles: string[] = o.body?.data?.me?.roles ?? [];
        return roles.some((r) => ['ADMIN', 'MODERATOR', 'DEALER'].includes(r)) || !roles.length
          ? `roles ${roles}`
          : null;
      },
      means: 'roles BUYER, SELLER only',
    },
  },
];

export const authorization: PayloadGroup = { name: 'Authorization: objects, properties, functions', payloads };
