import { styleText } from 'node:util';
import type { CheckReport, SchemaChange } from '../checks';

/** Readable reports for people; colour only on a terminal (styleText respects NO_COLOR). */
const paint = (format: Parameters<typeof styleText>[0], text: string) => (process.stdout.isTTY ? styleText(format, text) : text);

const MARK: Record<SchemaChange['level'], string> = { breaking: '✖', dangerous: '▲', safe: '✔' };
const COLOUR: Record<SchemaChange['level'], 'red' | 'yellow' | 'green'> = { breaking: 'red', dangerous: 'yellow', safe: 'green' };

export function formatChanges(title: string, changes: SchemaChange[]): string[] {
  if (changes.length === 0) return [`${title}: no changes`];
  const lines = [`${title}:`];
  for (const level of ['breaking', 'dangerous', 'safe'] as const) {
    for (const change of changes.filter((c) => c.level === level)) {
      lines.push(`  ${paint(COLOUR[level], `${MARK[level]} ${level.padEnd(9)}`)} ${change.message}`);
    }
  }
  return lines;
}

export function formatReport(report: CheckReport): string[] {
  if (!report.composition.ok) {
    return [
      paint('red', '✖ composition failed'),
      ...report.composition.errors.map((e) => `  ${e.code ? paint('bold', `[${e.code}] `) : ''}${e.message}`),
    ];
  }
  return [
    paint('green', '✔ composes'),
    ...formatChanges('API schema (what clients see)', report.apiChanges),
    ...formatChanges('Subgraph schema', report.subgraphChanges),
    report.breaking > 0 ? paint('red', `✖ ${report.breaking} breaking change(s)`) : paint('green', '✔ no breaking changes'),
  ];
}
