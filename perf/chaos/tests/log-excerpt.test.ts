import { expect, test } from 'bun:test';
import { excerpt, printable, summarize, type LoggedLine } from '../log-excerpt';

const line = (atMs: number, service: string, text = `${service} at ${atMs}`): LoggedLine => ({ atMs, service, text });
const shown = (lines: ReturnType<typeof excerpt>) => lines.map((l) => `${l.service}@${l.atMs}×${l.repeats}`);

test("an excerpt is the window's latest lines, a few per service, in the order they arrived", () => {
  const lines = [
    line(5, 'offers'), // before the window
    ...Array.from({ length: 8 }, (_, i) => line(10 + i, 'gateway')),
    line(18, 'offers'),
    line(19, 'search'),
    line(40, 'offers'), // after the window
  ];
  const window = { fromMs: 10, toMs: 30 };
  // The gateway's last three only: its eight lines do not crowd out the others.
  expect(shown(excerpt(lines, window, { perService: 3, total: 10 }))).toEqual([
    'gateway@15×1',
    'gateway@16×1',
    'gateway@17×1',
    'offers@18×1',
    'search@19×1',
  ]);
  expect(shown(excerpt(lines, window, { perService: 3, total: 4 }))).toEqual([
    'gateway@16×1',
    'gateway@17×1',
    'offers@18×1',
    'search@19×1',
  ]);
  expect(excerpt([], window)).toEqual([]);
});

test('a line repeated in the window is shown once, at its latest arrival, with its count', () => {
  const pino = (time: number, msg: string) => JSON.stringify({ level: 40, time, service: 'offers', msg });
  const lines = [
    line(1, 'offers', pino(1, 'database unreachable')),
    line(2, 'offers', pino(2, 'relay retrying')),
    line(3, 'offers', pino(3, 'database unreachable')),
    line(4, 'offers', pino(4, 'database unreachable')),
  ];
  const picked = excerpt(lines, { fromMs: 0, toMs: 10 }, { perService: 10, total: 10 });
  expect(picked.map((l) => `${l.body}@${l.atMs}×${l.repeats}`)).toEqual([
    'WARN relay retrying@2×1',
    'WARN database unreachable@4×3',
  ]);
});

test('a pino line is summarized as level, message and its own fields, an error as its message; other lines as they came', () => {
  const text = JSON.stringify({
    level: 50,
    time: 1,
    pid: 7,
    hostname: 'h',
    service: 'offers',
    name: 'offers',
    msg: 'offer events not delivered',
    err: { type: 'Error', message: 'connect ECONNREFUSED', stack: 'Error: …\n    at x', code: 'ECONNREFUSED' },
    failedRounds: 2,
  });
  expect(summarize(text)).toBe(
    'ERROR offer events not delivered {"err":"connect ECONNREFUSED (ECONNREFUSED)","failedRounds":2}',
  );
  expect(summarize(JSON.stringify({ level: 40, msg: 'plain', err: 'as a string' }))).toBe(
    'WARN plain {"err":"as a string"}',
  );
  expect(summarize('    at run (gateway/main.ts:1:1)')).toBe('    at run (gateway/main.ts:1:1)');
  expect(summarize('[1, 2]')).toBe('[1, 2]');
});

test('a printed line has its time and service, and keeps its count when it is cut', () => {
  const atMs = Date.UTC(2024, 0, 1, 12, 0, 1, 234);
  expect(printable({ atMs, service: 'offers', body: 'WARN x', repeats: 1 })).toBe('12:00:01.234 [offers] WARN x');
  const long = printable({ atMs, service: 'search', body: 'y'.repeat(1_000), repeats: 12 });
  expect(long).toHaveLength(400);
  expect(long.endsWith('… (×12)')).toBe(true);
});
