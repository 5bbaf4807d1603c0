import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServiceLogs } from '../service-logs';

test("every line goes to its service's file; excerpts come from the lines of the window", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-service-logs-'));
  try {
    const logs = openServiceLogs(join(dir, 'chaos-logs'));
    const from = Date.now();
    logs.output('offers', '{"level":50,"msg":"boom"}');
    logs.output('gateway', 'plain text');
    logs.output('offers', 'second');
    // Without the time each line starts with.
    expect(logs.between(from, Date.now()).map((l) => l.slice(13))).toEqual([
      '[offers] ERROR boom',
      '[gateway] plain text',
      '[offers] second',
    ]);
    expect(logs.between(Date.now() + 1_000, Date.now() + 2_000)).toEqual([]);
    await logs.close();
    logs.output('offers', 'after the end'); // dropped, not thrown
    expect(readFileSync(join(logs.dir, 'offers.log'), 'utf8')).toBe('{"level":50,"msg":"boom"}\nsecond\n');
    expect(readFileSync(join(logs.dir, 'gateway.log'), 'utf8')).toBe('plain text\n');
    // A new run starts with empty files.
    await openServiceLogs(logs.dir).close();
    expect(() => readFileSync(join(logs.dir, 'offers.log'))).toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
