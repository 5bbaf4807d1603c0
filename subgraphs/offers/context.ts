import type { BaseContext } from '../framework';
import type { CatalogClient } from '../catalog/client';
import type { Database } from '../../kit/db';
import type { OfferLive } from './live-feed';
import type { OutboxRelay } from './outbox/relay';
import type { tables } from './db/schema';

export interface OffersContext extends BaseContext {
  db: Database<typeof tables>['db'];
  catalog: CatalogClient;
  /** Woken after a change commits, so its event leaves at once. */
  outbox: Pick<OutboxRelay, 'wake'>;
  /** Committed offer changes as they happen, for subscriptions. */
  live: Pick<OfferLive, 'changesOf' | 'additions'>;
}
