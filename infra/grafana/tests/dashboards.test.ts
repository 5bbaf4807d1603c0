import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricNames } from '../../promql/metric-names';
import { DASHBOARDS, DASHBOARDS_DIR, fileNameOf, render } from '../build';
import { DATASOURCE, PROVISIONED_DATASOURCE_UID } from '../build/panels';

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: unknown;
  targets?: { expr: string; datasource: unknown; refId: string }[];
}

const panelsOf = (dashboard: (typeof DASHBOARDS)[number]) => dashboard.panels as Panel[];
const queryPanels = (dashboard: (typeof DASHBOARDS)[number]) => panelsOf(dashboard).filter((p) => p.type !== 'row');

/** Grafana's variables and macros replaced by values PromQL accepts, to check the queries as PromQL. */
const asPromql = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__interval', '1m')
    .replace(/\$\w+/g, '.*');

describe('dashboards', () => {
  test('the committed JSON is what infra/grafana/build writes (regenerate: bun infra/grafana/build/index.ts)', () => {
    const committed = readdirSync(DASHBOARDS_DIR)
      .filter((file) => file.endsWith('.json'))
      .sort();
    expect(committed).toEqual(DASHBOARDS.map(fileNameOf).sort());
    for (const dashboard of DASHBOARDS)
      expect({
        file: fileNameOf(dashboard),
        text: readFileSync(join(DASHBOARDS_DIR, fileNameOf(dashboard)), 'utf8'),
      }).toEqual({
        file: fileNameOf(dashboard),
        text: render(dashboard),
      });
  });

  test('uids and panel ids are unique, every panel explains itself and reads Prometheus through the variable', () => {
    expect(new Set(DASHBOARDS.map((d) => d.uid)).size).toBe(DASHBOARDS.length);
    for (const dashboard of DASHBOARDS) {
      const panels = panelsOf(dashboard);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const variable = dashboard.templating.list[0] as { name: string; type: string; current: { value: string } };
      expect(variable).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        current: { value: PROVISIONED_DATASOURCE_UID },
      });
      for (const panel of queryPanels(dashboard)) {
        const where = `${dashboard.uid}: ${panel.title}`;
        expect({ where, described: (panel.description ?? '').length > 20 }).toEqual({ where, described: true });
        expect({ where, queries: panel.targets!.length > 0 }).toEqual({ where, queries: true });
        for (const target of panel.targets!) {
          expect(target.datasource).toEqual(DATASOURCE);
          expect({ where, names: metricNames(target.expr).length > 0 }).toEqual({ where, names: true });
        }
      }
    }
  });

  test('panels stay on the 24-column grid and never overlap', () => {
    for (const dashboard of DASHBOARDS) {
      const taken = new Set<string>();
      for (const { gridPos, title } of panelsOf(dashboard)) {
        expect({ title, fits: gridPos.x >= 0 && gridPos.x + gridPos.w <= 24 }).toEqual({ title, fits: true });
        for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
          for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
            const cell = `${x},${y}`;
            expect({ title, cell, free: !taken.has(cell) }).toEqual({ title, cell, free: true });
            taken.add(cell);
          }
      }
    }
  });

  test('every query is PromQL that Prometheus parses (promtool, Grafana variables filled in)', () => {
    const promtool = Bun.which('promtool');
    if (!promtool) throw new Error('promtool not found: install the prometheus package (apt-get install prometheus)');
    const rules = DASHBOARDS.flatMap((dashboard) =>
      queryPanels(dashboard).flatMap((panel) =>
        panel.targets!.map((target) => ({
          record: `dashboard:${dashboard.uid.replaceAll('-', '_')}:panel_${panel.id}_${target.refId}`,
          expr: asPromql(target.expr),
        })),
      ),
    );
    const variables = DASHBOARDS.flatMap((dashboard) => dashboard.templating.list.slice(1)) as {
      query: { query: string };
    }[];
    for (const variable of variables) expect(variable.query.query).toMatch(/^label_values\([a-z_]+, [a-z_]+\)$/);
    const dir = mkdtempSync(join(tmpdir(), 'autograph-dashboards-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
      const run = Bun.spawnSync([promtool, 'check', 'rules', file]);
      const output = `${run.stdout.toString()}${run.stderr.toString()}`;
      expect({ code: run.exitCode, output }).toMatchObject({ code: 0 });
      expect(output).toContain(`${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('provisioning', () => {
  const provisioning = fileURLToPath(new URL('../provisioning/', import.meta.url));
  const yaml = (path: string) => Bun.YAML.parse(readFileSync(join(provisioning, path), 'utf8')) as any;

  test('the provisioned data source is the one the dashboards default to', () => {
    const { datasources } = yaml('datasources/prometheus.yaml');
    expect(datasources).toEqual([
      expect.objectContaining({ uid: PROVISIONED_DATASOURCE_UID, type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  test('one file provider loads the dashboards', () => {
    const { providers } = yaml('dashboards/autograph.yaml');
    expect(providers).toEqual([
      expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: expect.any(String) }) }),
    ]);
  });
});
