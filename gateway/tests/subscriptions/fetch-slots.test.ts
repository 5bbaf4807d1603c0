import { describe, expect, test } from 'bun:test';
import type { Logger } from '../../../kit/log';
import { FETCH_SLOTS_VARIABLE, GATEWAY_FETCH_SLOTS, warnOnFetchSlots } from '../../fetch-slots';

/** A logger that keeps what was warned. */
function recordingLogger() {
  const warnings: unknown[][] = [];
  return { warnings, logger: { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger };
}

describe("Bun's fetch slots (each open subscription holds one)", () => {
  test("warns when the gateway keeps Bun's default of 256", () => {
    const { warnings, logger } = recordingLogger();
    warnOnFetchSlots({}, logger);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toEqual({ [FETCH_SLOTS_VARIABLE]: 256, suggested: GATEWAY_FETCH_SLOTS });
    expect(String(warnings[0]![1])).toContain(`${FETCH_SLOTS_VARIABLE}=${GATEWAY_FETCH_SLOTS}`);
  });

  test('warns when set at or below the default, not above it', () => {
    const low = recordingLogger();
    warnOnFetchSlots({ [FETCH_SLOTS_VARIABLE]: '128' }, low.logger);
    expect(low.warnings).toHaveLength(1);
    const raised = recordingLogger();
    warnOnFetchSlots({ [FETCH_SLOTS_VARIABLE]: GATEWAY_FETCH_SLOTS }, raised.logger);
    expect(raised.warnings).toHaveLength(0);
  });
});
