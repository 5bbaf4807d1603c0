import { expect, test } from 'bun:test';
import { changedEntitiesOf } from '../changed-entities';

test("a subgraph's changed entities are read from its answer's extensions; malformed entries are ignored", () => {
  expect(
    changedEntitiesOf({
      changedEntities: [
        { typename: 'User', id: 'u1' },
        { typename: 'Offer', id: 42 },
        { typename: 'User' },
        { id: 'x' },
        'User:u2',
        null,
      ],
    }),
  ).toEqual([
    { typename: 'User', id: 'u1' },
    { typename: 'Offer', id: '42' },
  ]);
  expect(changedEntitiesOf(undefined)).toEqual([]);
  expect(changedEntitiesOf({ changedEntities: 'User:u1' })).toEqual([]);
});
