import type { GatewayPlugin } from '@graphql-hive/gateway';
import { useQueryPlan } from '@graphql-hive/router-runtime';
import { print, type DocumentNode } from 'graphql';
import LRUCache from 'lru-cache';
import type { GatewayMetrics } from '../metrics';

export const DEFAULT_PLAN_CACHE_SIZE = 1_000;
export const DEFAULT_PLAN_CACHE_MAX_BYTES = 4 * 1024 * 1024;

export interface PlanCacheOptions {
  metrics: GatewayMetrics;
  /** Distinct operations (as executed) whose plans are kept. */
  maxDocuments?: number;
  /** Budget for those operations' text, a stand-in for their plans' size (plans live in Rust). */
  maxBytes?: number;
}

/**
 * Makes the Rust planner's plan cache work, bounds it, and measures it.
 *
 * `@graphql-hive/router-runtime` caches plans in a WeakMap keyed by the DocumentNode object it
 * is asked to execute (per operation name and override labels), with no bound or metrics of its
 * own. Any plugin that rewrites the document per request (Hive's `genericAuth` removes refused
 * fields in a fresh copy every time; our authorization and field limits rewrite too) makes every
 * request a miss: about 0.4 ms of planning here,
 * against 0.03 ms to print the document. So the operation about to execute is swapped for the
 * first document ever executed with the same text, kept in a bounded LRU: identical operations
 * share one DocumentNode and therefore one plan, and a plan is released when its document leaves
 * the LRU (and Yoga's parser cache, 1,024 documents, which is not configurable through Hive
 * Gateway). Hits and misses are read from the plan objects the runtime hands back: a plan object
 * seen before came from its cache.
 */
export function usePlanCache(options: PlanCacheOptions): GatewayPlugin {
  const plans = options.metrics.counter({
    name: 'autograph_gateway_query_plan_cache_requests_total',
    help: 'Executions by whether the Rust query plan came from the plan cache (hit) or was planned for this request (miss)',
    labelNames: ['result'],
  });
  const [hit, miss] = [plans.labels({ result: 'hit' }), plans.labels({ result: 'miss' })];
  const byText = new LRUCache<string, DocumentNode>({
    max: options.maxDocuments ?? DEFAULT_PLAN_CACHE_SIZE,
    maxSize: options.maxBytes ?? DEFAULT_PLAN_CACHE_MAX_BYTES,
    sizeCalculation: (_document, text) => Math.max(1, text.length),
  });
  // Documents already resolved, so the unchanged parsed document of a request is not printed again.
  const canonicalOf = new WeakMap<DocumentNode, DocumentNode>();
  const seenPlans = new WeakSet<object>();

  function canonical(document: DocumentNode): DocumentNode {
    const known = canonicalOf.get(document);
    if (known) return known;
    const text = print(document);
    let shared = byText.get(text);
    if (!shared) byText.set(text, (shared = document));
    canonicalOf.set(document, shared);
    return shared;
  }

  // router-runtime types its plugin against its own copy of the gateway's types; same shape at runtime.
  const planObserver = useQueryPlan({
    onQueryPlan(plan) {
      if (!plan) return; // introspection is not planned
      if (seenPlans.has(plan)) return hit.inc();
      seenPlans.add(plan);
      miss.inc();
    },
  }) as unknown as GatewayPlugin;

  return {
    onExecute(payload) {
      // Rewrites by earlier plugins (extended validation) are made the same way: on `args` itself.
      payload.args.document = canonical(payload.args.document);
      return planObserver.onExecute?.(payload);
    },
  };
}
