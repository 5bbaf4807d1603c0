import type { OfferEvent, OfferSnapshot } from './events';

/** The live offer feed (live.ts builds it): kept apart so the request context can name it without importing live.ts. */
export interface OfferLive {
  /** Publishes the events of committed changes (the relay calls this after a hand-over). */
  publish(events: readonly OfferEvent[]): void;
  /** Every change of one offer, as its snapshot. */
  changesOf(offerId: string): AsyncIterable<OfferSnapshot>;
  /** Every offer created. */
  additions(): AsyncIterable<OfferSnapshot>;
  close(): Promise<void>;
}
