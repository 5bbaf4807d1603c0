import type { Actors } from './actors';
import type { Observed } from './payload';

interface LeakRule {
  name: string;
  pattern: RegExp;
}

/** What no answer may contain, whatever was asked. */
const RULES: LeakRule[] = [
  { name: 'stack trace', pattern: /\bat (?:async )?[\w.$<>]+ \(?(?:file:\/\/)?\/[^\s)]*:\d+:\d+/ },
  { name: 'source location', pattern: /\/[\w./-]+\.(?:ts|js|mjs):\d+/ },
  { name: 'stack property', pattern: /"stack"\s*:/ },
  { name: 'SQL text', pattern: /\b(?:select\s[^"]{0,120}\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i },
  {
    name: 'SQL error',
    pattern: /syntax error at or near|relation "[^"]+"|Failed query|SQLSTATE|violates \w+ constraint/i,
  },
  { name: 'database driver', pattern: /\bpostgres(?:ql)?:\/\/|PostgresError|drizzle/i },
  { name: 'password hash', pattern: /\$argon2(?:id|i|d)\$/ },
  { name: 'private key', pattern: /PRIVATE KEY/ },
];

/** Secret values and internal addresses of this system: found verbatim in an answer, they leaked. */
function secretsOf(actors: Actors): { name: string; value: string }[] {
  const { system, secrets } = actors.target;
  const internal = [system.registryUrl, ...Object.values(system.subgraphUrls)].map((url) => new URL(url));
  return [
    { name: 'gateway HMAC secret', value: secrets.hmacSecret },
    { name: 'registry token', value: secrets.registryToken },
    { name: 'metrics token', value: secrets.metricsToken },
    { name: "victim's access token", value: actors.victim.accessToken },
    { name: "victim's refresh token", value: actors.victim.refreshToken },
    { name: 'database name', value: new URL(system.databaseUrl).pathname.slice(1) },
    ...internal.flatMap((url) => [
      { name: `internal address ${url.host}`, value: url.host },
      { name: `internal address localhost:${url.port}`, value: `localhost:${url.port}` },
    ]),
  ];
}

/** Every leak in an answer's body and headers, named (never the leaked value itself). */
export function findLeaks(observed: Observed, actors: Actors): string[] {
  const headers = [...observed.headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n');
  const text = `${observed.text}\n${headers}`;
  const found = RULES.filter((rule) => rule.pattern.test(text)).map((rule) => rule.name);
  for (const secret of secretsOf(actors)) if (text.includes(secret.value)) found.push(secret.name);
  return found;
}
