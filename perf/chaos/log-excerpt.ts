/**
 * The few lines of the services' logs printed under a missed goal: the latest distinct ones of each
 * service in the fault's time, readable at a glance in CI's output (the files keep everything).
 */

/** One line a child printed, stamped when it arrived. */
export interface LoggedLine {
  atMs: number;
  service: string;
  text: string;
}

/** A line of the excerpt: its latest arrival, and how often the same line came in the window. */
export interface ExcerptLine {
  atMs: number;
  service: string;
  body: string;
  repeats: number;
}

export interface ExcerptLimits {
  /** So that one chatty service (the gateway logging every failed call) does not hide the others. */
  perService: number;
  total: number;
}

const DEFAULT_LIMITS: ExcerptLimits = { perService: 10, total: 30 };

/** A printed line longer than this is cut: a stack trace belongs in the file, not in CI's output. */
const MAX_PRINTED_CHARS = 400;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's fields every line has, or that the printed line's prefix already says. */
const ROUTINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'service', 'msg']);

/** A serialized error as its message (and code): its stack and causes stay in the file. */
function errorSummary(err: unknown): unknown {
  if (typeof err !== 'object' || err === null || !('message' in err)) return err;
  const { message, code } = err as { message: unknown; code?: unknown };
  return code === undefined ? message : `${String(message)} (${String(code)})`;
}

/**
 * A line's content for people: `WARN message {"err":"…"}` for a pino line, without its routine
 * fields and with an error reduced to its message; any other line (a crash's stack trace, a
 * library's console warning) as it came.
 */
export function summarize(text: string): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.msg !== 'string') return text;
  const rest = Object.fromEntries(
    Object.entries(parsed)
      .filter(([key]) => !ROUTINE_FIELDS.has(key))
      .map(([key, value]) => [key, key === 'err' ? errorSummary(value) : value]),
  );
  const level = typeof parsed.level === 'number' ? (LEVELS[parsed.level] ?? String(parsed.level)) : 'LOG';
  return `${level} ${parsed.msg}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''}`;
}

/**
 * Of `lines` (in the order they arrived), those that arrived between `fromMs` and `toMs`, a line
 * repeated within them shown once (at its latest arrival, with its count): the latest
 * `perService` distinct lines of each service, then the latest `total` of those, in arrival order.
 */
export function excerpt(
  lines: readonly LoggedLine[],
  window: { fromMs: number; toMs: number },
  limits: ExcerptLimits = DEFAULT_LIMITS,
): ExcerptLine[] {
  const within = lines
    .map((line, order) => ({ line, order, body: summarize(line.text) }))
    .filter(({ line }) => line.atMs >= window.fromMs && line.atMs <= window.toMs);
  const picked: { order: number; line: ExcerptLine }[] = [];
  for (const own of Map.groupBy(within, (entry) => entry.line.service).values()) {
    const latest = new Map<string, { order: number; line: ExcerptLine }>();
    for (const { line, order, body } of own) {
      const repeats = (latest.get(body)?.line.repeats ?? 0) + 1;
      latest.set(body, { order, line: { atMs: line.atMs, service: line.service, body, repeats } });
    }
    picked.push(...[...latest.values()].sort((a, b) => a.order - b.order).slice(-limits.perService));
  }
  return picked
    .sort((a, b) => a.order - b.order)
    .slice(-limits.total)
    .map(({ line }) => line);
}

/** `12:00:01.234 [offers] WARN message (×12)`, cut to MAX_PRINTED_CHARS with the count kept. */
export function printable(line: ExcerptLine): string {
  const prefix = `${new Date(line.atMs).toISOString().slice(11, 23)} [${line.service}] `;
  const suffix = line.repeats > 1 ? ` (×${line.repeats})` : '';
  const room = MAX_PRINTED_CHARS - prefix.length - suffix.length;
  const body = line.body.length > room ? `${line.body.slice(0, room - 1)}…` : line.body;
  return `${prefix}${body}${suffix}`;
}
