import type { CoordinateUsage, UsageWindow } from '../usage';
import type { SchemaChange } from './index';

/**
 * The coordinate whose use makes a breaking change hurt. Mostly the change's own path; but a new
 * required argument or input field breaks every caller of its parent, which never names it.
 */
export function usageCoordinate(change: SchemaChange): string | null {
  if (!change.path) return null;
  if (change.type === 'FIELD_ARGUMENT_ADDED' || change.type === 'INPUT_FIELD_ADDED')
    return change.path.split('.').slice(0, -1).join('.');
  return change.path;
}

/**
 * Marks each breaking change blocking or safe-by-usage. A change is safe by usage only when there
 * is usage data in the window and the requests of operations using its coordinate are at or
 * below the threshold (a share of all requests; 0 % means a single request blocks). With no data
 * at all, nothing can be called unused, so every breaking change blocks.
 */
export function classifyByUsage(
  changes: SchemaChange[],
  window: UsageWindow,
  used: Map<string, CoordinateUsage>,
): SchemaChange[] {
  const limit = (window.requests * window.thresholdPercent) / 100;
  return changes.map((change) => {
    if (change.level !== 'breaking') return change;
    const coordinate = usageCoordinate(change);
    if (window.requests === 0 || !coordinate) return { ...change, blocking: true };
    const usage = used.get(coordinate) ?? { requests: 0, operations: [] };
    const blocking = usage.requests > limit;
    return {
      ...change,
      blocking,
      usage: { coordinate, requests: usage.requests, operations: usage.operations.slice(0, 10) },
      ...(blocking ? {} : { safeByUsage: true }),
    };
  });
}

/** One line naming the data a usage-aware verdict relied on. */
export function describeWindow(window: UsageWindow): string {
  if (window.requests === 0) return `no usage recorded in the last ${window.days} days: every breaking change blocks`;
  const threshold = window.thresholdPercent > 0 ? `more than ${window.thresholdPercent}% of requests` : 'any request';
  return `${window.requests} requests of ${window.operations} operations from ${window.from} to ${window.to} (last ${window.days} days); a change blocks if ${threshold} used it`;
}
