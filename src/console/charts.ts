import { Html, html, trusted } from './html';
import { table } from './layout';

/**
 * Charts as inline SVG drawn on the server (README, "Console"): no charting script, nothing
 * fetched, and each chart carries its figures as a table for screen readers and for copying.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: readonly Point[];
}

export interface LineChartOptions {
  title: string;
  series: readonly Series[];
  /** How an x value reads (an instant, a bin edge). */
  formatX?: (x: number) => string;
  formatY?: (y: number) => string;
  /** Fixed y range (a probability: [0, 1]); otherwise from the data. */
  yRange?: [number, number];
  /** Horizontal reference lines (a threshold, a PSI alert level). */
  rules?: readonly { y: number; label: string }[];
  /** Draw the points as dots only (a calibration chart's bins). */
  dots?: boolean;
  /** A diagonal y = x (a calibration chart's ideal). */
  diagonal?: boolean;
}

export interface BarChartOptions {
  title: string;
  bars: readonly { label: string; value: number; compare?: number }[];
  formatY?: (y: number) => string;
  /** The name of `value` and of `compare` (e.g. observed against baseline). */
  legend?: [string, string?];
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 12, bottom: 40 };
/** Colour-blind-safe (Okabe–Ito), dark enough on white for lines and text. */
export const PALETTE = ['#0b5cad', '#c0392b', '#1e7d32', '#8e44ad', '#b35c00', '#2c3e50'];

let chartIds = 0;
const nextId = () => `chart-${(chartIds = (chartIds + 1) % 1_000_000)}`;
const fixed = (n: number) => (Math.round(n * 100) / 100).toString();

function ticks(min: number, max: number, count: number): number[] {
  if (min === max) return [min];
  return Array.from({ length: count + 1 }, (_, i) => min + ((max - min) * i) / count);
}

function figure(title: string, svg: Html, table: Html, legend: Html): Html {
  const id = nextId();
  return html`<figure class="chart" aria-labelledby="${id}">
    <figcaption id="${id}">${title}</figcaption>
    ${legend} ${svg}
    <details>
      <summary>Figures of “${title}”</summary>
      <div class="table-scroll">${table}</div>
    </details>
  </figure>`;
}

function legendOf(names: readonly string[]): Html {
  if (names.length < 2) return html``;
  return html`<ul class="legend">
    ${names.map(
      (name, i) =>
        html`<li>
          <span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${name}
        </li>`,
    )}
  </ul>`;
}

/** Lines (or dots) over a numeric x axis: volumes over time, PSI over time, calibration. */
export function lineChart(options: LineChartOptions): Html {
  const formatX = options.formatX ?? ((x: number) => fixed(x));
  const formatY = options.formatY ?? ((y: number) => fixed(y));
  const all = options.series.flatMap((s) => s.points);
  if (all.length === 0)
    return html`<p class="muted">${options.title}: no figures in this period.</p>`;
  const xs = all.map((p) => p.x);
  const ys = [...all.map((p) => p.y), ...(options.rules ?? []).map((r) => r.y)];
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = options.yRange ?? [Math.min(0, ...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right);
  const sy = (y: number) =>
    HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (const t of ticks(y0, y1, 4)) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(t)}" y2="${sy(t)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${esc(formatY(t))}</text>`,
    );
  }
  const xTicks = ticks(x0, x1, Math.min(4, new Set(xs).size - 1 || 1));
  xTicks.forEach((t, i) => {
    // The last label ends at the right edge instead of running past it.
    const anchor = i === xTicks.length - 1 && xTicks.length > 1 ? 'end' : 'middle';
    parts.push(
      `<text class="tick" x="${sx(t)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="${anchor}">${esc(formatX(t))}</text>`,
    );
  });
  if (options.diagonal) {
    parts.push(
      `<line class="ideal" x1="${sx(Math.max(x0, y0))}" y1="${sy(Math.max(x0, y0))}" x2="${sx(Math.min(x1, y1))}" y2="${sy(Math.min(x1, y1))}"/>`,
    );
  }
  for (const rule of options.rules ?? []) {
    parts.push(
      `<line class="rule" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(rule.y)}" y2="${sy(rule.y)}"/>`,
      `<text class="rule-label" x="${WIDTH - PAD.right}" y="${sy(rule.y) - 4}" text-anchor="end">${esc(rule.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const points = [...series.points].sort((a, b) => a.x - b.x);
    if (!options.dots && points.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((p) => `${fixed(sx(p.x))},${fixed(sy(p.y))}`).join(' ')}"/>`,
      );
    }
    for (const p of points)
      parts.push(
        `<circle cx="${fixed(sx(p.x))}" cy="${fixed(sy(p.y))}" r="${options.dots ? 4 : 2.5}" fill="${colour}"/>`,
      );
  });
  const svg = trusted(
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${esc(options.title)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg>`,
  );
  const data = table({
    columns: [{ label: 'Series' }, { label: 'x' }, { label: 'y' }],
    rows: options.series.flatMap((series) =>
      series.points.map(
        (p) =>
          html`<tr>
            <td>${series.name}</td>
            <td>${formatX(p.x)}</td>
            <td>${formatY(p.y)}</td>
          </tr>`,
      ),
    ),
  });
  return figure(options.title, svg, data, legendOf(options.series.map((s) => s.name)));
}

/** Bars over labelled bins (a score distribution), optionally beside a baseline. */
export function barChart(options: BarChartOptions): Html {
  const formatY = options.formatY ?? ((y: number) => fixed(y));
  if (options.bars.length === 0) return html`<p class="muted">${options.title}: no figures.</p>`;
  const max = Math.max(...options.bars.flatMap((b) => [b.value, b.compare ?? 0]), 0) || 1;
  const inner = WIDTH - PAD.left - PAD.right;
  const slot = inner / options.bars.length;
  const paired = options.bars.some((b) => b.compare !== undefined);
  const barWidth = Math.max(2, (paired ? slot / 2 : slot) * 0.8);
  const sy = (y: number) => HEIGHT - PAD.bottom - (y / max) * (HEIGHT - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (const t of ticks(0, max, 4)) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(t)}" y2="${sy(t)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${esc(formatY(t))}</text>`,
    );
  }
  options.bars.forEach((bar, i) => {
    const x = PAD.left + i * slot + slot * 0.1;
    parts.push(
      `<rect x="${fixed(x)}" y="${fixed(sy(bar.value))}" width="${fixed(barWidth)}" height="${fixed(sy(0) - sy(bar.value))}" fill="${PALETTE[0]}"/>`,
    );
    if (bar.compare !== undefined)
      parts.push(
        `<rect x="${fixed(x + barWidth)}" y="${fixed(sy(bar.compare))}" width="${fixed(barWidth)}" height="${fixed(sy(0) - sy(bar.compare))}" fill="${PALETTE[1]}"/>`,
      );
    if (options.bars.length <= 12 || i % Math.ceil(options.bars.length / 12) === 0)
      parts.push(
        `<text class="tick" x="${fixed(x + (paired ? barWidth : barWidth / 2))}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${esc(bar.label)}</text>`,
      );
  });
  const svg = trusted(
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${esc(options.title)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg>`,
  );
  const [name, compareName] = options.legend ?? ['value'];
  const data = table({
    columns: [
      { label: 'Bin' },
      { label: name },
      ...(paired ? [{ label: compareName ?? 'compare' }] : []),
    ],
    rows: options.bars.map(
      (bar) =>
        html`<tr>
          <td>${bar.label}</td>
          <td>${formatY(bar.value)}</td>
          ${paired ? html`<td>${bar.compare === undefined ? '—' : formatY(bar.compare)}</td>` : ''}
        </tr>`,
    ),
  });
  return figure(
    options.title,
    svg,
    data,
    paired ? legendOf([name, compareName ?? 'compare']) : html``,
  );
}

function esc(text: string): string {
  return html`${text}`.text;
}
