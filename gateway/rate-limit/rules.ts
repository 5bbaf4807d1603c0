/** A budget of `limit` per sliding window of `windowMs`. */
export interface LimitRule {
  limit: number;
  windowMs: number;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

const NAME_PATTERNS = {
  /** An operation name, or the operation's hash (hex) for unnamed ones. */
  operation: /^[A-Za-z_][A-Za-z0-9_]*$|^[a-f0-9]{16,64}$/,
  /** A schema coordinate: `Type.field`. */
  field: /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/,
};

/**
 * Parses `Name=5/60s,Other=100/1m` (units ms, s, m, h) into rules by name; throws an Error whose
 * message names the entry that is wrong.
 */
export function parseLimitRules(text: string, kind: keyof typeof NAME_PATTERNS): Map<string, LimitRule> {
  const rules = new Map<string, LimitRule>();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not <name>=<limit>/<window> such as Mutation.login=5/60s`);
    const [, name, limit, amount, unit] = match as unknown as [string, string, string, string, keyof typeof UNIT_MS];
    if (!NAME_PATTERNS[kind].test(name))
      throw new Error(`"${name}" is not ${kind === 'field' ? 'a Type.field coordinate' : 'an operation name or hash'}`);
    if (rules.has(name)) throw new Error(`"${name}" is listed twice`);
    const windowMs = Number(amount) * UNIT_MS[unit];
    if (Number(limit) < 1 || windowMs < 1_000)
      throw new Error(`"${entry}" needs a limit of at least 1 and a window of at least 1s`);
    rules.set(name, { limit: Number(limit), windowMs });
  }
  return rules;
}
