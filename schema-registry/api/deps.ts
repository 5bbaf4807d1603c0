import type { MiddlewareHandler } from 'hono';
import type { HostAllowList } from '../../kit/host-allow-list';
import type { Logger } from '../../kit/log';
import type { Access, AccessLevel } from '../access';
import type { SchemaLimits } from '../limits';
import type { Store } from '../store';
import type { Webhooks } from '../webhooks';
import type { RegistryEnv } from './http';

/** What the API's routes work with; `createRegistryApp` receives it and hands it to each route group. */
export interface RegistryDeps {
  store: Store;
  access: Access;
  webhooks: Webhooks;
  logger: Logger;
  ready: () => Promise<boolean>;
  /** Bounds on SDL checked before parsing and composing. */
  limits: SchemaLimits;
  /** Where routing URLs (REGISTRY_ALLOWED_SUBGRAPH_HOSTS) and webhook URLs (REGISTRY_ALLOWED_WEBHOOK_HOSTS) may point. */
  allowedHosts: { subgraphs: HostAllowList; webhooks: HostAllowList };
}

/** Authorises the caller for `level` on the route's target (if any) and loads that target. */
export type Guard = (level: AccessLevel) => MiddlewareHandler<RegistryEnv>;
