/**
 * A small builder for Grafana dashboard JSON (schema 39, Grafana 10 and later): rows of panels
 * placed left to right on the 24-column grid, every query on the `datasource` variable so a
 * dashboard imported elsewhere can be pointed at another Prometheus. Only what the Autograph
 * dashboards use; everything else keeps Grafana's defaults.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, resolved by Grafana.
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
/** The uid infra/grafana/provisioning gives the Prometheus data source: the variable's default. */
export const PROVISIONED_DATASOURCE_UID = 'prometheus';

export interface Query {
  expr: string;
  /** Series name in the legend (`{{label}}` templates). */
  legend?: string;
}

export interface PanelSpec {
  title: string;
  /** What the panel answers, shown as its tooltip: which metric, and how to read it. */
  description: string;
  queries: Query[];
  kind?: 'timeseries' | 'stat' | 'state-timeline';
  /** Grafana unit id: reqps, s, percentunit, bytes, short, ... */
  unit?: string;
  /** Columns out of 24 (default 8: three panels a row). */
  width?: number;
  height?: number;
  /** Horizontal threshold lines (timeseries) or colour steps (stat): value → colour. */
  thresholds?: { value: number; color: string }[];
  /** Value → text and colour (state timelines). */
  mappings?: { value: number; text: string; color: string }[];
  stacked?: boolean;
  min?: number;
  max?: number;
  decimals?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface Variable {
  name: string;
  label: string;
  /** A metric carrying the label: the choices are its values (`label_values(metric, name)`). */
  metric: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: RowSpec[];
  variables?: Variable[];
  /** Default time range, e.g. `now-3h`. */
  from?: string;
}

const DEFAULT_WIDTH = 8;
const DEFAULT_HEIGHT = 8;
const GRID_WIDTH = 24;

function fieldConfig(spec: PanelSpec) {
  const steps = [{ color: 'green', value: null as number | null }, ...(spec.thresholds ?? [])];
  return {
    defaults: {
      unit: spec.unit ?? 'short',
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
      ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
      thresholds: { mode: 'absolute', steps },
      ...(spec.mappings
        ? {
            mappings: [
              {
                type: 'value',
                options: Object.fromEntries(
                  spec.mappings.map((mapping, index) => [
                    String(mapping.value),
                    { text: mapping.text, color: mapping.color, index },
                  ]),
                ),
              },
            ],
            color: { mode: 'thresholds' },
          }
        : { color: { mode: spec.kind === 'stat' ? 'thresholds' : 'palette-classic' } }),
      ...(spec.kind === 'timeseries' || spec.kind === undefined
        ? {
            custom: {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: spec.stacked ? 30 : 10,
              showPoints: 'never',
              spanNulls: false,
              stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
              thresholdsStyle: { mode: spec.thresholds ? 'line' : 'off' },
            },
          }
        : {}),
    },
    overrides: [],
  };
}

function options(spec: PanelSpec) {
  switch (spec.kind) {
    case 'stat':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        textMode: 'auto',
        justifyMode: 'auto',
        orientation: 'auto',
      };
    case 'state-timeline':
      return {
        showValue: 'auto',
        mergeValues: true,
        rowHeight: 0.9,
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
        tooltip: { mode: 'single', sort: 'none' },
      };
    default:
      return {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
  }
}

function panel(spec: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
  return {
    id,
    type: spec.kind ?? 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      range: true,
    })),
    fieldConfig: fieldConfig(spec),
    options: options(spec),
  };
}

function variable(spec: Variable) {
  const query = `label_values(${spec.metric}, ${spec.name})`;
  return {
    name: spec.name,
    label: spec.label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query, refId: `${spec.name}-values` },
    definition: query,
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

/** The dashboard's JSON model: rows one under another, each row's panels wrapping at 24 columns. */
export function dashboard(spec: DashboardSpec) {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { x: 0, y: y++, w: GRID_WIDTH, h: 1 },
      panels: [],
    });
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      const w = spec.width ?? DEFAULT_WIDTH;
      const h = spec.height ?? DEFAULT_HEIGHT;
      if (x + w > GRID_WIDTH) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(spec, id++, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['autograph'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: spec.from ?? 'now-3h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    annotations: { list: [] },
    links: [{ title: 'Autograph', type: 'dashboards', tags: ['autograph'], asDropdown: true, includeVars: false }],
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: { text: 'Prometheus', value: PROVISIONED_DATASOURCE_UID },
          hide: 0,
        },
        ...(spec.variables ?? []).map(variable),
      ],
    },
    panels,
  };
}

export type Dashboard = ReturnType<typeof dashboard>;

/** `rate()` over Grafana's interval, which stays at least four scrapes long at any zoom. */
export const RATE = '$__rate_interval';
