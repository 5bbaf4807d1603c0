import type { SuiteResult } from './suite';

export interface Summary {
  tried: number;
  refusedAsExpected: number;
  /** Not refused as expected, and not a known open finding. */
  notAsExpected: number;
  openFindings: number;
  serverErrors: number;
  leaks: number;
  crashes: number;
  notServing: number;
  byCategory: Record<string, number>;
  durationMs: number;
}

export function summarize(suite: SuiteResult): Summary {
  const { results } = suite;
  const byCategory: Record<string, number> = {};
  for (const result of results) byCategory[result.category] = (byCategory[result.category] ?? 0) + 1;
  return {
    tried: results.length,
    refusedAsExpected: results.filter((r) => r.refusedAsExpected).length,
    notAsExpected: results.filter((r) => !r.refusedAsExpected && !r.openFinding).length,
    openFindings: results.filter((r) => r.openFinding).length,
    serverErrors: results.filter((r) => r.serverError).length,
    leaks: results.filter((r) => r.leaks.length > 0).length,
    crashes: suite.crashes.length,
    notServing: results.filter((r) => !r.keptServing).length + suite.unhealthyGroups.length,
    byCategory,
    durationMs: suite.durationMs,
  };
}

/** True when the system survived: every payload refused as expected, no 5xx, no leak, no crash, always serving. */
export const survived = (summary: Summary) =>
  summary.notAsExpected === 0 &&
  summary.serverErrors === 0 &&
  summary.leaks === 0 &&
  summary.crashes === 0 &&
  summary.notServing === 0;

function openFindingsSection(suite: SuiteResult): string[] {
  const open = suite.results.filter((r) => r.openFinding);
  if (!open.length) return [];
  return [
    'Open findings (fixed outside the suite’s files):',
    '',
    ...open.map((r) => `- **${r.name}**: ${r.openFinding}`),
    '',
  ];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(suite: SuiteResult, summary: Summary, when: Date): string {
  const lines = [
    '# Attack suite: results',
    '',
    `Run ${when.toISOString()} by \`bun security\` against a system it started in production mode`,
    '(NODE_ENV=production, gateway HMAC signatures, registry and metrics tokens, real PostgreSQL and Redis).',
    '',
    '| tried | refused as expected | not as expected | open findings | HTTP 5xx | leaks | crashes | not serving | time |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${summary.tried} | ${summary.refusedAsExpected} | ${summary.notAsExpected} | ${summary.openFindings} | ${summary.serverErrors} | ${summary.leaks} | ${summary.crashes} | ${summary.notServing} | ${(summary.durationMs / 1000).toFixed(1)} s |`,
    '',
    ...openFindingsSection(suite),
    '| OWASP category | payloads |',
    '|---|---:|',
    ...Object.entries(summary.byCategory).map(([category, count]) => `| ${category} | ${count} |`),
    '',
  ];
  if (suite.crashes.length) lines.push('Crashes:', '', ...suite.crashes.map((line) => `- ${line}`), '');
  const groups = [...new Set(suite.results.map((r) => r.group))];
  for (const group of groups) {
    lines.push(`## ${group}`, '', '| # | payload | category | request | expected | observed | ok | leaks | serving |');
    lines.push('|---:|---|---|---|---|---|---|---|---|');
    suite.results.forEach((r, index) => {
      if (r.group !== group) return;
      const ok = r.refusedAsExpected ? 'yes' : `**${r.openFinding ? 'open finding' : 'no'}**: ${r.problems.join('; ')}`;
      lines.push(
        `| ${index + 1} | ${cell(r.name)} | ${cell(r.category.split(' ')[0]!)} | \`${cell(r.request)}\` | ${cell(r.expected)} | ${cell(r.observed)} | ${cell(ok)} | ${r.leaks.length ? cell(r.leaks.join(', ')) : 'none'} | ${r.keptServing ? 'yes' : '**no**'} |`,
      );
    });
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function jsonReport(suite: SuiteResult, summary: Summary, when: Date): string {
  return `${JSON.stringify({ ranAt: when.toISOString(), summary, unhealthyGroups: suite.unhealthyGroups, crashes: suite.crashes, results: suite.results }, null, 2)}\n`;
}
