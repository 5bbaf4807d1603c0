import type { SecondSample } from './load';

export interface ChartExtras {
  /** Time windows to shade (a fault's), in seconds from the start, with a label. */
  shaded?: { fromSecond: number; toSecond: number; label: string }[];
  /** More per-second counts drawn on the right axis with the requests (e.g. errors by code). */
  counts?: { label: string; color: string; values: number[] }[];
  /** Latency lines to leave out (a timeline shows p95 only). */
  latencies?: ('p50' | 'p95' | 'p99')[];
  /** What the points are when not seconds (a curve over worker counts): the axis's name and each point's label. */
  xAxis?: { label: string; ticks: string[] };
}

/**
 * A dependency-free SVG of a run: latency percentiles (left axis) and requests per second (right
 * axis) over time (or over another axis, `xAxis`). Charting libraries pull in a DOM or a canvas; this needs a few polylines.
 */
export function renderChart(title: string, samples: SecondSample[], extras: ChartExtras = {}): string {
  const width = 760;
  const height = 320;
  const pad = { left: 56, right: 64, top: 36, bottom: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const seconds = Math.max(1, samples.length);
  const maxLatency = niceCeil(Math.max(1, ...samples.map((s) => (Number.isFinite(s.p99Ms) ? s.p99Ms : 0))));
  const counts = extras.counts ?? [];
  const maxRps = niceCeil(Math.max(1, ...samples.map((s) => s.requests), ...counts.flatMap((c) => c.values)));
  const shown = new Set(extras.latencies ?? ['p50', 'p95', 'p99']);
  let legendX = 0;
  const x = (i: number) => pad.left + (seconds === 1 ? plotW / 2 : (i / (seconds - 1)) * plotW);
  const yLatency = (v: number) => pad.top + plotH - (Math.min(v, maxLatency) / maxLatency) * plotH;
  const yRps = (v: number) => pad.top + plotH - (v / maxRps) * plotH;
  const line = (values: number[], y: (v: number) => number, color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${values.map((v, i) => `${x(i).toFixed(1)},${y(Number.isFinite(v) ? v : 0).toFixed(1)}`).join(' ')}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const escapeXml = (text: string) => text.replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]!);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
${(extras.shaded ?? [])
  .map(
    (w) =>
      `<rect x="${x(w.fromSecond).toFixed(1)}" y="${pad.top}" width="${Math.max(2, x(w.toSecond) - x(w.fromSecond)).toFixed(1)}" height="${plotH}" fill="#ffe3e3"/><text x="${(x(w.fromSecond) + 3).toFixed(1)}" y="${pad.top + plotH - 6}" fill="#c92a2a">${escapeXml(w.label)}</text>`,
  )
  .join('\n')}
${ticks
  .map(
    (
      t,
    ) => `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH * (1 - t)}" y2="${pad.top + plotH * (1 - t)}" stroke="#eee"/>
<text x="${pad.left - 6}" y="${pad.top + plotH * (1 - t) + 4}" text-anchor="end">${Math.round(maxLatency * t)} ms</text>
<text x="${pad.left + plotW + 6}" y="${pad.top + plotH * (1 - t) + 4}">${Math.round(maxRps * t)}/s</text>`,
  )
  .join('\n')}
<text x="${pad.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(extras.xAxis?.label ?? 'seconds')}</text>
${(extras.xAxis?.ticks ?? []).map((tick, i) => `<text x="${x(i).toFixed(1)}" y="${pad.top + plotH + 14}" text-anchor="middle">${escapeXml(tick)}</text>`).join('\n')}
${line(
  samples.map((s) => s.requests),
  yRps,
  '#999',
  '4 3',
)}
${counts.map((c) => line(c.values, yRps, c.color, '2 2')).join('\n')}
${
  shown.has('p50')
    ? line(
        samples.map((s) => s.p50Ms),
        yLatency,
        '#2b8a3e',
      )
    : ''
}
${
  shown.has('p95')
    ? line(
        samples.map((s) => s.p95Ms),
        yLatency,
        '#e67700',
      )
    : ''
}
${
  shown.has('p99')
    ? line(
        samples.map((s) => s.p99Ms),
        yLatency,
        '#c92a2a',
      )
    : ''
}
<g transform="translate(${pad.left + 8},${pad.top + 8})">
${[
  ...[
    ['p50', '#2b8a3e'],
    ['p95', '#e67700'],
    ['p99', '#c92a2a'],
  ].filter(([name]) => shown.has(name as 'p50')),
  ['requests/s (right axis)', '#777'],
  ...counts.map((c) => [c.label, c.color]),
]
  .map(([label, color]) => {
    const at = legendX;
    legendX += label!.length * 6.5 + 14;
    return `<text x="${at.toFixed(0)}" y="0" fill="${color}">${escapeXml(label!)}</text>`;
  })
  .join('')}
</g>
</svg>
`;
}

/** 1, 2 or 5 times a power of ten, at or above the value: axis maxima people can read. */
export function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
