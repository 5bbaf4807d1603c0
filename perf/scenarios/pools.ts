import type { Pool } from './types';

/** Id lists the scenarios draw variables from, fetched from the gateway before the load starts. */
export const offerIds: Pool = {
  query: '{ offers(first: 100) { edges { node { id } } } }',
  extract: (data) => data.offers.edges.map((edge: { node: { id: string } }) => edge.node.id),
};

export const makeIds: Pool = {
  query: '{ makes { id } }',
  extract: (data) => data.makes.map((make: { id: string }) => make.id),
};

export const modelIds: Pool = {
  query: '{ makes { models { id } } }',
  extract: (data) => data.makes.flatMap((make: { models: { id: string }[] }) => make.models.map((model) => model.id)),
};
