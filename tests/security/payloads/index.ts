import type { PayloadGroup } from '../payload';
import { authorization } from './authorization';
import { browser } from './browser';
import { bruteForce } from './brute-force';
import { discovery } from './discovery';
import { injection } from './injection';
import { protocol } from './protocol';
import { queryLimits } from './query-limits';
import { registryPayloads } from './registry';
import { sessions } from './sessions';
import { subgraphs } from './subgraphs';
import { tokens } from './tokens';

/** In order: the brute force spends the suite's sign-in budget at the gateway, so it comes last. */
export const PAYLOAD_GROUPS: PayloadGroup[] = [
  queryLimits,
  discovery,
  browser,
  protocol,
  tokens,
  sessions,
  authorization,
  subgraphs,
  injection,
  registryPayloads,
  bruteForce,
];
