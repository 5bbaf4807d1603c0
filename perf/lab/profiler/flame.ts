/**
 * Flame graphs from a V8/JSC `.cpuprofile` (what `bun --cpu-prof` writes): collapsed stacks (the
 * format of Brendan Gregg's flamegraph.pl and speedscope's import) and a self-contained SVG.
 * The SVG is a few rectangles per frame; a charting dependency would not make it clearer.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
}

const frameName = (node: ProfileNode) => {
  const file = node.callFrame.url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/(work\/main|autograph)\//, '')
    .replace(/^file:\/\//, '');
  return `${node.callFrame.functionName || '(anonymous)'}${file ? ` ${file}:${node.callFrame.lineNumber + 1}` : ''}`.replace(
    /;/g,
    ',',
  );
};

/** `root;child;leaf count` lines, one per distinct stack with samples. */
export function collapseProfile(profile: CpuProfile): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) if (node.hitCount) hits.set(node.id, node.hitCount);
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const lines = new Map<string, number>();
  for (const [id, count] of hits) {
    const stack: string[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const node = byId.get(current)!;
      if (node.callFrame.functionName !== '(root)') stack.push(frameName(node));
    }
    const key = stack.reverse().join(';') || '(root)';
    lines.set(key, (lines.get(key) ?? 0) + count);
  }
  return [...lines].sort((a, b) => b[1] - a[1]).map(([stack, count]) => `${stack} ${count}`);
}

interface Frame {
  name: string;
  value: number;
  children: Map<string, Frame>;
}

export function renderFlameGraph(collapsed: string[], title: string): string {
  const root: Frame = { name: 'all', value: 0, children: new Map() };
  for (const line of collapsed) {
    const split = line.lastIndexOf(' ');
    const count = Number(line.slice(split + 1));
    let frame = root;
    root.value += count;
    for (const name of line.slice(0, split).split(';')) {
      let child = frame.children.get(name);
      if (!child) frame.children.set(name, (child = { name, value: 0, children: new Map() }));
      child.value += count;
      frame = child;
    }
  }
  const width = 1200;
  const rowHeight = 16;
  const boxes: { x: number; w: number; depth: number; frame: Frame }[] = [];
  const place = (frame: Frame, x: number, depth: number) => {
    const w = (frame.value / Math.max(1, root.value)) * width;
    if (w < 0.3) return;
    boxes.push({ x, w, depth, frame });
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      place(child, childX, depth + 1);
      childX += (child.value / Math.max(1, root.value)) * width;
    }
  };
  place(root, 0, 0);
  const maxDepth = Math.max(0, ...boxes.map((box) => box.depth));
  const top = 24;
  const height = top + (maxDepth + 1) * rowHeight + 4;
  const escapeXml = (text: string) =>
    text.replace(/[<&>"]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;', '"': '&quot;' })[c]!);
  // Our code in blue, libraries and the runtime in warm colours; flame graphs grow upwards.
  const color = (name: string) => {
    let hash = 0;
    for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    const ours = name.includes('.ts:') && !/^[@\w-]+\//.test(name.split(' ')[1] ?? '');
    return ours
      ? `hsl(${200 + (hash % 30)},70%,${60 + (hash % 15)}%)`
      : `hsl(${20 + (hash % 30)},85%,${55 + (hash % 15)}%)`;
  };
  const rects = boxes.map(({ x, w, depth, frame }) => {
    const y = top + (maxDepth - depth) * rowHeight;
    const share = ((frame.value / Math.max(1, root.value)) * 100).toFixed(1);
    const label =
      w > 40
        ? `<text x="${(x + 3).toFixed(1)}" y="${y + 11}">${escapeXml(frame.name.slice(0, Math.floor(w / 6.5)))}</text>`
        : '';
    return `<g><title>${escapeXml(frame.name)} (${frame.value} samples, ${share} %)</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${depth === 0 ? '#ccc' : color(frame.name)}"/>${label}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="10">
<rect width="100%" height="100%" fill="white"/>
<text x="4" y="16" font-family="sans-serif" font-size="13" font-weight="bold">${escapeXml(title)}: ${root.value} samples (hover a frame for its name)</text>
${rects.join('\n')}
</svg>
`;
}
