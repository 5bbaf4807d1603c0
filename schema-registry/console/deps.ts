import type { Logger } from '../../kit/log';
import type { Access } from '../access';
import type { SchemaLimits } from '../limits';
import type { Store } from '../store';
import type { Webhooks } from '../webhooks';
import type { Sessions } from './session';

/** The registry's core the console works on, as the HTTP API does: no page calls the API over the network. */
export interface ConsoleDeps {
  store: Store;
  access: Access;
  webhooks: Webhooks;
  logger: Logger;
  limits: SchemaLimits;
  sessions: Sessions;
}
