import type { SubgraphName } from '../../subgraphs/framework/subgraph-config';
import type { Actors } from './actors';

/**
 * OWASP references each payload is filed under: the API Security Top 10 (2023) and the GraphQL
 * Cheat Sheet's sections.
 */
export const OWASP = {
  objectAuthorization: 'API1:2023 Broken Object Level Authorization',
  authentication: 'API2:2023 Broken Authentication',
  propertyAuthorization: 'API3:2023 Broken Object Property Level Authorization',
  resourceConsumption: 'API4:2023 Unrestricted Resource Consumption (GraphQL CS: DoS, batching)',
  functionAuthorization: 'API5:2023 Broken Function Level Authorization',
  misconfiguration: 'API8:2023 Security Misconfiguration (GraphQL CS: introspection, CSRF, CORS)',
  injection: 'GraphQL CS: Input Validation and Injection',
  inventory: 'API9:2023 Improper Inventory Management (internal endpoints)',
} as const;
export type OwaspCategory = (typeof OWASP)[keyof typeof OWASP];

/** Where a payload goes: the gateway, one subgraph directly, or the schema registry. */
export type Target = 'gateway' | 'registry' | SubgraphName;

export interface AttackRequest {
  target: Target;
  method?: 'GET' | 'POST' | 'OPTIONS' | 'DELETE';
  /** Default /graphql. */
  path?: string;
  /** URL query parameters (GET requests). */
  search?: Record<string, string>;
  headers?: Record<string, string>;
  /** Sent as application/json unless `headers` say otherwise. */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: string | Uint8Array<ArrayBuffer>;
}

/** A refusal (status and code) or a safe answer, which `check` describes by returning what is wrong, or null. */
export interface Expectation {
  status: number | number[];
  /** At least one error carries this `extensions.code` (or registry `error.code`). */
  code?: string | string[];
  /** Further conditions on the answer; returns what is wrong, or null. */
  check?: (observed: Observed) => string | null;
  /** How the report names the expected answer when `check` says more than status and code. */
  means?: string;
}

export interface Payload {
  name: string;
  category: OwaspCategory;
  request: AttackRequest | ((actors: Actors) => AttackRequest | Promise<AttackRequest>);
  expect: Expectation;
  /** A follow-up proving the attack had no effect (the price unchanged, the family revoked); returns what is wrong, or null. */
  verify?: (actors: Actors, observed: Observed) => Promise<string | null>;
  /**
   * A weakness this payload still finds, whose fix lies outside the suite's reach: what it is and
   * where it is fixed. Reported apart; it does not fail the run, and the payload counts as refused
   * again once the fix lands.
   */
  openFinding?: string;
}

export interface PayloadGroup {
  name: string;
  payloads: Payload[];
}

/** What came back, as the suite judges it. */
export interface Observed {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: any;
  /** Every `extensions.code` of every error (batched answers included), and the registry's `error.code`. */
  codes: string[];
  messages: string[];
  ms: number;
}
