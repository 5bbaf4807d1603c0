import { styleText } from 'node:util';
import type { CheckReport, SchemaChange } from '../checks';
import type { PlanDiff } from '../checks/plan-diff';

/** Readable reports for people; colour only on a terminal (styleText respects NO_COLOR). */
const paint = (format: Parameters<typeof styleText>[0], text: string) =>
  process.stdout.isTTY ? styleText(format, text) : text;

const MARK: Record<SchemaChange['level'], string> = { breaking: '✖', dangerous: '▲', safe: '✔' };
const COLOUR: Record<SchemaChange['level'], 'red' | 'yellow' | 'green'> = {
  breaking: 'red',
  dangerous: 'yellow',
  safe: 'green',
};

function usageNote(change: SchemaChange): string {
  if (!change.usage) return '';
  if (change.safeByUsage)
    return paint('green', `  (safe by usage: ${change.usage.requests} request(s) used ${change.usage.coordinate})`);
  const top = change.usage.operations
    .slice(0, 3)
    .map((o) => `${o.name ?? o.hash.slice(0, 12)} by ${o.client} ×${o.requests}`);
  return paint('red', `  (used by ${change.usage.requests} request(s): ${top.join(', ')})`);
}

export function formatChanges(title: string, changes: SchemaChange[]): string[] {
  if (changes.length === 0) return [`${title}: no changes`];
  const lines = [`${title}:`];
  for (const level of ['breaking', 'dangerous', 'safe'] as const) {
    for (const change of changes.filter((c) => c.level === level)) {
      lines.push(
        `  ${paint(COLOUR[level], `${MARK[level]} ${level.padEnd(9)}`)} ${change.message}${usageNote(change)}`,
      );
    }
  }
  return lines;
}

/** Composition problems grouped by subgraph, each pointing at its coordinate. */
function formatComposition(report: CheckReport): string[] {
  const groups = new Map<string, typeof report.composition.errors>();
  for (const error of report.composition.errors) {
    const key = error.subgraphs.length ? error.subgraphs.join(' + ') : 'supergraph';
    groups.set(key, [...(groups.get(key) ?? []), error]);
  }
  const lines = [paint('red', `✖ composition failed (${report.composition.errors.length} problem(s))`)];
  for (const [subgraphs, errors] of groups) {
    lines.push(`  ${paint('bold', subgraphs)}`);
    for (const e of errors)
      lines.push(
        `    ${e.coordinate ? `${paint('bold', e.coordinate)} ` : ''}${e.code ? `[${e.code}] ` : ''}${e.message}`,
      );
  }
  return lines;
}

function formatPlans(plans: PlanDiff): string[] {
  const lines = [
    `Query plans: ${plans.planned} recorded operation(s) replayed${plans.skipped ? `, ${plans.skipped} skipped` : ''}`,
  ];
  for (const change of plans.changes) {
    const name = change.name ?? change.hash.slice(0, 12);
    if (change.kind === 'newly-invalid')
      lines.push(
        `  ${paint('red', '✖ fails')}     ${name} (×${change.requests}): ${change.errors?.[0]?.message ?? ''}`,
      );
    else {
      const mark = change.kind === 'more-fetches' ? paint('yellow', '▲ slower') : paint('green', '✔ faster');
      lines.push(
        `  ${mark}    ${name} (×${change.requests}): ${change.before!.fetches} → ${change.after!.fetches} fetches, ${change.before!.hops} → ${change.after!.hops} sequential hops`,
      );
    }
  }
  return lines;
}

/** Each schema contract: does it compose, and what changes for its clients. */
function formatContracts(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const contract of report.contracts ?? []) {
    if (!contract.composition.ok) {
      lines.push(paint('red', `✖ contract ${contract.name} does not compose`));
      for (const e of contract.composition.errors)
        lines.push(`    ${e.coordinate ? `${paint('bold', e.coordinate)} ` : ''}${e.message}`);
    } else lines.push(...formatChanges(`Contract ${contract.name} (what its clients see)`, contract.apiChanges));
  }
  return lines;
}

/** Policy violations as `file:line:column  severity  message  (rule)`, the form editors and terminals link. */
export function formatPolicy(report: CheckReport, file = 'schema'): string[] {
  if (!report.policy) return [];
  const { errors, warnings, violations } = report.policy;
  const lines = [
    violations.length === 0
      ? paint('green', '✔ schema policy: no violations')
      : paint(
          errors ? 'red' : 'yellow',
          `${errors ? '✖' : '▲'} schema policy: ${errors} error(s), ${warnings} warning(s)`,
        ),
  ];
  for (const v of violations)
    lines.push(
      `  ${file}:${v.line}:${v.column}  ${paint(v.severity === 'error' ? 'red' : 'yellow', v.severity.padEnd(5))}  ${v.message}  (${v.rule})`,
    );
  return lines;
}

export function formatReport(report: CheckReport, file?: string): string[] {
  if (!report.composition.ok) return formatComposition(report);
  const lines = [
    paint('green', '✔ composes'),
    ...formatChanges('API schema (what clients see)', report.apiChanges),
    ...formatChanges('Subgraph schema', report.subgraphChanges),
  ];
  if (report.usage) lines.push(`Usage: ${report.usage.summary}`);
  if (report.documents?.broken.length) {
    lines.push(
      paint(
        'red',
        `✖ ${report.documents.broken.length} of ${report.documents.checked} trusted document(s) would stop validating:`,
      ),
    );
    for (const d of report.documents.broken)
      lines.push(`    ${d.client} ${d.name ?? d.hash}: ${d.errors[0]?.message ?? ''}`);
  }
  if (report.plans) lines.push(...formatPlans(report.plans));
  lines.push(...formatContracts(report), ...formatPolicy(report, file));
  const safe = report.breaking - report.apiChanges.filter((c) => c.blocking).length;
  if (report.blocking > 0 || !report.ok)
    lines.push(
      paint(
        'red',
        `✖ ${report.blocking} blocking problem(s) (${report.breaking} breaking change(s), ${safe} safe by usage)`,
      ),
    );
  else if (report.breaking > 0)
    lines.push(paint('green', `✔ ${report.breaking} breaking change(s), all safe by usage`));
  else lines.push(paint('green', '✔ no breaking changes'));
  return lines;
}
