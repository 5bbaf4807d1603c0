import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attackSystem } from './attack';
import { jsonReport, markdownReport, survived } from './report';

/** `bun security`: attacks a fresh production-mode system and writes the report to tests/security/results/. */
const results = fileURLToPath(new URL('./results/', import.meta.url));
const started = Date.now();
const { suite, summary } = await attackSystem((line) => console.error(line));
const when = new Date();
mkdirSync(results, { recursive: true });
writeFileSync(`${results}report.md`, markdownReport(suite, summary, when));
writeFileSync(`${results}report.json`, jsonReport(suite, summary, when));

for (const result of suite.results.filter(
  (r) => (!r.refusedAsExpected && !r.openFinding) || r.leaks.length || !r.keptServing,
))
  console.log(
    `FAIL ${result.group} / ${result.name}: expected ${result.expected}, got ${result.observed} (${[...result.problems, ...result.leaks.map((l) => `leak: ${l}`)].join('; ')})`,
  );
console.log(
  `${summary.tried} payloads, ${summary.refusedAsExpected} refused as expected, ${summary.openFindings} open findings, ${summary.serverErrors} HTTP 5xx, ${summary.leaks} leaks, ${summary.crashes} crashes, ${summary.notServing} not serving; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
);
process.exit(survived(summary) ? 0 : 1);
