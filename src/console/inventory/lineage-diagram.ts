import { Html, html, trusted } from '../html';

/**
 * A lineage graph drawn on the server (README, "Console"): left to right, each node in the column
 * of its longest path from a source (dataset versions → training run → model version →
 * evaluations and deployments), as inline SVG with a title, and the same nodes and edges as
 * tables for screen readers and for copying.
 */

export interface DiagramNode {
  /** Unique within the diagram. */
  key: string;
  /** What it is, in words: "dataset version", "training run". */
  kind: string;
  /** Its name or id, as people search for it. */
  label: string;
  /** One more line: a status, a count. */
  detail?: string;
  /** A console page for it, shown in the table (never inside the image). */
  href?: string;
  /** The node the page is about: drawn heavier. */
  root?: boolean;
}

export interface DiagramEdge {
  from: string;
  to: string;
  relation: string;
  /** When the edge was recorded (ISO), shown in the table. */
  at?: string;
}

export interface Layout {
  columns: number;
  rows: number;
  position: Map<string, { column: number; row: number }>;
}

const KIND_ORDER = [
  'dataset version',
  'training run',
  'model version',
  'evaluation',
  'deployment',
  'prediction batch',
];

const kindRank = (kind: string) => {
  const rank = KIND_ORDER.indexOf(kind);
  return rank < 0 ? KIND_ORDER.length : rank;
};

/**
 * Columns by longest path from a source (a node no edge enters), rows by kind then label within
 * a column. Edges that would close a cycle (none should) are ignored for the layering.
 */
export function layoutDiagram(
  nodes: readonly DiagramNode[],
  edges: readonly DiagramEdge[],
): Layout {
  const keys = new Set(nodes.map((node) => node.key));
  const incoming = new Map<string, string[]>(nodes.map((node) => [node.key, []]));
  for (const edge of edges) {
    if (keys.has(edge.from) && keys.has(edge.to) && edge.from !== edge.to)
      incoming.get(edge.to)!.push(edge.from);
  }
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (key: string): number => {
    const known = column.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return 0;
    visiting.add(key);
    const parents = incoming.get(key) ?? [];
    const depth = parents.length === 0 ? 0 : Math.max(...parents.map((p) => depthOf(p) + 1));
    visiting.delete(key);
    column.set(key, depth);
    return depth;
  };
  for (const node of nodes) depthOf(node.key);
  const byColumn = new Map<number, DiagramNode[]>();
  for (const node of nodes) {
    const c = column.get(node.key) ?? 0;
    byColumn.set(c, [...(byColumn.get(c) ?? []), node]);
  }
  const position = new Map<string, { column: number; row: number }>();
  let rows = 0;
  for (const [c, list] of byColumn) {
    list
      .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.label.localeCompare(b.label))
      .forEach((node, row) => position.set(node.key, { column: c, row }));
    rows = Math.max(rows, list.length);
  }
  const columns = byColumn.size === 0 ? 0 : Math.max(...byColumn.keys()) + 1;
  return { columns, rows, position };
}

const BOX = { width: 190, height: 54 };
const GAP = { x: 56, y: 18 };
const PAD = 12;
const MAX_LABEL = 26;

const shorten = (text: string) =>
  text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;

function esc(text: string): string {
  return html`${text}`.text;
}

/** The SVG alone (role=img, titled). */
export function diagramSvg(
  title: string,
  nodes: readonly DiagramNode[],
  edges: readonly DiagramEdge[],
): Html {
  const layout = layoutDiagram(nodes, edges);
  const width = PAD * 2 + layout.columns * BOX.width + Math.max(0, layout.columns - 1) * GAP.x;
  const height = PAD * 2 + layout.rows * BOX.height + Math.max(0, layout.rows - 1) * GAP.y;
  const at = (key: string) => {
    const p = layout.position.get(key)!;
    return {
      x: PAD + p.column * (BOX.width + GAP.x),
      y: PAD + p.row * (BOX.height + GAP.y),
    };
  };
  const parts: string[] = [
    `<title>${esc(title)}</title>`,
    '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>',
  ];
  for (const edge of edges) {
    if (!layout.position.has(edge.from) || !layout.position.has(edge.to)) continue;
    const a = at(edge.from);
    const b = at(edge.to);
    const x1 = a.x + BOX.width;
    const y1 = a.y + BOX.height / 2;
    const x2 = b.x;
    const y2 = b.y + BOX.height / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    parts.push(
      `<path class="edge edge-${esc(edge.relation)}" d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" marker-end="url(#lineage-arrow)"/>`,
    );
  }
  for (const node of nodes) {
    const { x, y } = at(node.key);
    const kindClass = node.kind.replace(/[^a-z]+/g, '-');
    parts.push(
      `<g class="node node-${kindClass}${node.root ? ' root' : ''}" data-node="${esc(node.label)}">`,
      `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="6"/>`,
      `<text class="kind" x="${x + 10}" y="${y + 16}">${esc(node.kind)}</text>`,
      `<text class="label" x="${x + 10}" y="${y + 32}">${esc(shorten(node.label))}</text>`,
      node.detail
        ? `<text class="detail" x="${x + 10}" y="${y + 47}">${esc(shorten(node.detail))}</text>`
        : '',
      '</g>',
    );
  }
  return trusted(
    `<svg class="lineage" viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg>`,
  );
}
