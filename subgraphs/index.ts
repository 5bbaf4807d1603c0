import type { SubgraphName } from './framework/subgraph-config';
import type { SubgraphModule } from './framework/subgraph';

/** The five subgraphs, loaded on demand so printing one SDL does not load the others. */
export const subgraphs: Record<SubgraphName, () => Promise<SubgraphModule<any, any>>> = {
  catalog: () => import('./catalog').then((m) => m.default),
  offers: () => import('./offers').then((m) => m.default),
  users: () => import('./users').then((m) => m.default),
  reviews: () => import('./reviews').then((m) => m.default),
  search: () => import('./search').then((m) => m.default),
};

export const SUBGRAPH_NAMES = Object.keys(subgraphs) as SubgraphName[];

export function isSubgraphName(name: string | undefined): name is SubgraphName {
  return name !== undefined && name in subgraphs;
}
