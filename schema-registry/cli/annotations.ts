import type { CheckReport } from '../checks';

/** GitHub Actions workflow commands escape these in a message and in a property. */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(level: 'error' | 'warning' | 'notice', message: string, where: Record<string, string | number>) {
  const properties = Object.entries(where)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${level} ${properties}::${escapeData(message)}`;
}

/**
 * A check as GitHub Actions annotations (`::error file=…,line=…,col=…::message`), shown on the
 * pull request's diff: policy violations at their line of `file`; composition problems, contract
 * failures and blocking breaking changes on the file as a whole.
 */
export function githubAnnotations(report: CheckReport, file: string): string[] {
  const lines: string[] = [];
  for (const error of report.composition.errors)
    lines.push(annotation('error', error.message, { file, title: `composition${error.code ? ` ${error.code}` : ''}` }));
  for (const contract of report.contracts ?? []) {
    for (const error of contract.composition.errors)
      lines.push(annotation('error', error.message, { file, title: `contract ${contract.name} does not compose` }));
    for (const change of contract.apiChanges.filter((c) => c.level === 'breaking'))
      lines.push(
        annotation(change.blocking ? 'error' : 'warning', change.message, {
          file,
          title: `contract ${contract.name}: breaking change${change.path ? ` ${change.path}` : ''}`,
        }),
      );
  }
  for (const change of report.apiChanges.filter((c) => c.level !== 'safe'))
    lines.push(
      annotation(change.blocking ? 'error' : change.level === 'breaking' ? 'warning' : 'notice', change.message, {
        file,
        title: `${change.level} change${change.path ? ` ${change.path}` : ''}`,
      }),
    );
  for (const document of report.documents?.broken ?? [])
    lines.push(
      annotation('error', document.errors[0]?.message ?? 'stops validating', {
        file,
        title: `trusted document ${document.client} ${document.name ?? document.hash}`,
      }),
    );
  for (const violation of report.policy?.violations ?? [])
    lines.push(
      annotation(violation.severity === 'error' ? 'error' : 'warning', violation.message, {
        file,
        line: violation.line,
        col: violation.column,
        title: `policy ${violation.rule}`,
      }),
    );
  return lines;
}
