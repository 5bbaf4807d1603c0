import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { businessDashboard } from './business';
import { gatewayDashboard } from './gateway';
import type { Dashboard } from './panels';
import { registryDashboard } from './registry';
import { subgraphsDashboard } from './subgraphs';

/**
 * The dashboards Grafana provisions from infra/grafana/dashboards/, generated from these modules:
 *
 *   bun infra/grafana/build/index.ts
 *
 * infra/grafana/tests/ fails while the committed JSON differs from what this writes, and checks
 * every metric a query names against real /metrics output (infra/tests/exported-metrics.test.ts).
 */
export const DASHBOARDS: Dashboard[] = [gatewayDashboard, subgraphsDashboard, registryDashboard, businessDashboard];

export const DASHBOARDS_DIR = fileURLToPath(new URL('../dashboards/', import.meta.url));

/** File name of a dashboard: its uid without the common prefix. */
export const fileNameOf = (dashboard: Dashboard) => `${dashboard.uid.replace(/^autograph-/, '')}.json`;

/** A dashboard's file content, byte for byte. */
export const render = (dashboard: Dashboard) => `${JSON.stringify(dashboard, null, 2)}\n`;

export function writeDashboards(dir = DASHBOARDS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) if (file.endsWith('.json')) rmSync(`${dir}/${file}`);
  return DASHBOARDS.map((dashboard) => {
    writeFileSync(`${dir}/${fileNameOf(dashboard)}`, render(dashboard));
    return fileNameOf(dashboard);
  });
}

if (import.meta.main) console.log(`wrote ${writeDashboards().join(', ')} to ${DASHBOARDS_DIR}`);
