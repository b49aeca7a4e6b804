import type PDFDocument from 'pdfkit';

type Doc = InstanceType<typeof PDFDocument>;

/** Colours and type of every Attest document: sober, legible in greyscale. */
export const INK = '#1b2430';
export const MUTED = '#5b6573';
export const RULE = '#c9ced6';
export const ZEBRA = '#f3f5f8';
export const ACCENT = '#1f4e79';
export const SERIES = ['#1f4e79', '#c55a11', '#548235', '#7030a0', '#bf9000', '#2e75b6'];

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
  /** Monospaced (hashes, ids). */
  mono?: boolean;
}

const bottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** A section title that never sits alone at the foot of a page. */
export function heading(doc: Doc, text: string, needBelow = 80): void {
  if (doc.y + 24 + needBelow > bottom(doc)) doc.addPage();
  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(13).fillColor(ACCENT).text(text, doc.page.margins.left);
  const y = doc.y + 2;
  doc
    .moveTo(doc.page.margins.left, y)
    .lineTo(doc.page.width - doc.page.margins.right, y)
    .lineWidth(0.7)
    .strokeColor(ACCENT)
    .stroke();
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(9).fillColor(INK);
}

export function paragraph(
  doc: Doc,
  text: string,
  options: { muted?: boolean; size?: number } = {},
): void {
  doc
    .font('Helvetica')
    .fontSize(options.size ?? 9)
    .fillColor(options.muted ? MUTED : INK)
    .text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** Label/value pairs, two columns; a long value wraps within its column. */
export function facts(doc: Doc, pairs: [string, string][], labelWidth = 150): void {
  table(
    doc,
    [
      { header: '', width: labelWidth },
      { header: '', width: contentWidth(doc) - labelWidth },
    ],
    pairs.map(([label, value]) => [label, value]),
    { header: false, boldFirst: true },
  );
}

/**
 * A table that breaks across pages cleanly: a row never splits, and the header row repeats at
 * the top of every page the table continues on.
 */
export function table(
  doc: Doc,
  columns: Column[],
  rows: string[][],
  options: {
    header?: boolean;
    boldFirst?: boolean;
    size?: number;
    /**
     * Every row this many lines high, each cell's lines given with \n and known to fit: no
     * measuring and no wrapping, for long tables (an appendix of ten thousand events).
     */
    lines?: number;
  } = {},
): void {
  const size = options.size ?? 8;
  const lineHeight = size * 1.2;
  const pad = 3;
  const left = doc.page.margins.left;
  const drawHeader = () => {
    if (options.header === false) return;
    const height =
      Math.max(
        ...columns.map((c) =>
          doc
            .font('Helvetica-Bold')
            .fontSize(size)
            .heightOfString(c.header, { width: c.width - 2 * pad }),
        ),
      ) +
      2 * pad;
    doc.rect(left, doc.y, sum(columns), height).fill(ACCENT);
    let x = left;
    const y = doc.y;
    for (const column of columns) {
      doc
        .font('Helvetica-Bold')
        .fontSize(size)
        .fillColor('#ffffff')
        .text(column.header, x + pad, y + pad, {
          width: column.width - 2 * pad,
          align: column.align,
        });
      x += column.width;
    }
    doc.y = y + height;
  };
  if (doc.y + 40 > bottom(doc)) doc.addPage();
  drawHeader();
  rows.forEach((row, index) => {
    const fontOf = (column: Column, i: number) =>
      column.mono ? 'Courier' : options.boldFirst && i === 0 ? 'Helvetica-Bold' : 'Helvetica';
    const height =
      (options.lines
        ? options.lines * lineHeight
        : Math.max(
            ...columns.map((column, i) =>
              doc
                .font(fontOf(column, i))
                .fontSize(size)
                .heightOfString(row[i] ?? '', { width: column.width - 2 * pad }),
            ),
          )) +
      2 * pad;
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    if (index % 2 === 1) doc.rect(left, y, sum(columns), height).fill(ZEBRA);
    let x = left;
    doc.fillColor(INK);
    if (options.lines) {
      const lines: { text: string; x: number; y: number; font: string }[] = [];
      columns.forEach((column, i) => {
        (row[i] ?? '').split('\n').forEach((text, n) => {
          lines.push({ text, x: x + pad, y: y + pad + n * lineHeight, font: fontOf(column, i) });
        });
        x += column.width;
      });
      plainLines(doc, lines, size);
    } else {
      columns.forEach((column, i) => {
        doc
          .font(fontOf(column, i))
          .fontSize(size)
          .text(row[i] ?? '', x + pad, y + pad, {
            width: column.width - 2 * pad,
            align: column.align,
          });
        x += column.width;
      });
    }
    doc
      .moveTo(left, y + height)
      .lineTo(left + sum(columns), y + height)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.y = y + height;
  });
  doc.x = left;
  doc.moveDown(0.6);
}

type PdfkitState = {
  _font: { id: string; ascender: number; ref(): unknown };
  _fontSize: number;
  page: { fonts: Record<string, unknown>; height: number };
};

/**
 * Lines of ASCII text, each at its (x, y) in its font, written as PDF operators in one text
 * object: what pdfkit's text() does for lines that need no wrapping, without its per-glyph
 * kerning and encoding, which were most of the time an appendix of ten thousand rows took.
 * A line beyond ASCII goes through text() instead.
 */
export function plainLines(
  doc: Doc,
  lines: readonly { text: string; x: number; y: number; font: string }[],
  size: number,
): void {
  const state = doc as unknown as PdfkitState;
  const height = state.page.height;
  const ops: string[] = [];
  let current = '';
  for (const line of lines) {
    if (!/^[\x20-\x7e]*$/.test(line.text)) {
      doc.font(line.font).fontSize(size).text(line.text, line.x, line.y, { lineBreak: false });
      current = '';
      continue;
    }
    if (line.font !== current) {
      doc.font(line.font).fontSize(size);
      state.page.fonts[state._font.id] ??= state._font.ref();
      ops.push(`/${state._font.id} ${size} Tf`);
      current = line.font;
    }
    const baseline = height - line.y - (state._font.ascender / 1000) * size;
    ops.push(
      `1 0 0 1 ${line.x.toFixed(2)} ${baseline.toFixed(2)} Tm (${line.text.replace(/[\\()]/g, '\\$&')}) Tj`,
    );
  }
  if (ops.length > 0) doc.addContent(`q 1 0 0 -1 0 ${height} cm BT ${ops.join(' ')} ET Q`);
}

export interface Series {
  name: string;
  points: { x: string; y: number }[];
}

/** A line chart drawn as vectors: axes, gridlines, labelled ticks, one line per series. */
export function lineChart(
  doc: Doc,
  title: string,
  series: Series[],
  options: { height?: number; yLabel?: string } = {},
): void {
  const height = options.height ?? 150;
  if (doc.y + height + 40 > bottom(doc)) doc.addPage();
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const frame = chartFrame(
    doc,
    title,
    height,
    Math.min(0, ...ys),
    Math.max(1e-9, ...ys),
    options.yLabel,
  );
  series.forEach((s, n) => {
    const colour = SERIES[n % SERIES.length];
    const points = s.points.map(
      (p) => [frame.x(xs.indexOf(p.x), xs.length), frame.y(p.y)] as const,
    );
    if (points.length === 0) return;
    doc.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) doc.lineTo(x, y);
    doc.lineWidth(1.2).strokeColor(colour).stroke();
    for (const [x, y] of points) doc.circle(x, y, 1.6).fill(colour);
  });
  frame.xLabels(xs);
  legend(
    doc,
    frame,
    series.map((s) => s.name),
  );
}

/** One bin of a calibration chart: its mean predicted probability and observed rate. */
export interface CalibrationPoint {
  meanPredicted: number;
  observedRate: number;
}

/**
 * A reliability diagram drawn as vectors: both axes 0 to 1 (labelled), gridlines, the diagonal
 * of perfect calibration (dashed), and each bin's mean predicted probability against its
 * observed rate, joined in order; the caption below says what it shows.
 */
export function calibrationChart(
  doc: Doc,
  title: string,
  points: readonly CalibrationPoint[],
  options: { caption: string; xLabel: string; yLabel: string; size?: number },
): void {
  const size = options.size ?? 170;
  if (doc.y + size + 70 > bottom(doc)) doc.addPage();
  doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(title, doc.page.margins.left, doc.y);
  doc.moveDown(0.3);
  const left = doc.page.margins.left + 52;
  const top = doc.y + 4;
  const x = (value: number) => left + Math.min(1, Math.max(0, value)) * size;
  const y = (value: number) => top + size - Math.min(1, Math.max(0, value)) * size;
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  for (let i = 0; i <= 4; i++) {
    const value = i / 4;
    doc
      .moveTo(left, y(value))
      .lineTo(left + size, y(value))
      .moveTo(x(value), top)
      .lineTo(x(value), top + size)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.text(value.toFixed(2), left - 30, y(value) - 3, { width: 26, align: 'right' });
    doc.text(value.toFixed(2), x(value) - 15, top + size + 3, { width: 30, align: 'center' });
  }
  doc
    .moveTo(left, top)
    .lineTo(left, top + size)
    .lineTo(left + size, top + size)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke();
  doc
    .moveTo(x(0), y(0))
    .lineTo(x(1), y(1))
    .dash(3, { space: 2 })
    .lineWidth(0.7)
    .strokeColor(MUTED)
    .stroke()
    .undash();
  const colour = SERIES[1];
  if (points.length > 0) {
    doc.moveTo(x(points[0].meanPredicted), y(points[0].observedRate));
    for (const point of points.slice(1)) doc.lineTo(x(point.meanPredicted), y(point.observedRate));
    doc.lineWidth(1.1).strokeColor(colour).stroke();
    for (const point of points)
      doc.circle(x(point.meanPredicted), y(point.observedRate), 2).fill(colour);
  }
  doc
    .font('Helvetica')
    .fontSize(7.5)
    .fillColor(INK)
    .text(options.xLabel, left, top + size + 14, { width: size, align: 'center' });
  doc.save();
  doc.rotate(-90, { origin: [doc.page.margins.left + 8, top + size / 2] });
  doc.text(options.yLabel, doc.page.margins.left + 8 - size / 2, top + size / 2 - 4, {
    width: size,
    align: 'center',
    lineBreak: false,
  });
  doc.restore();
  const legendX = left + size + 24;
  doc
    .moveTo(legendX, top + 10)
    .lineTo(legendX + 14, top + 10)
    .lineWidth(1.1)
    .strokeColor(colour)
    .stroke();
  doc.circle(legendX + 7, top + 10, 2).fill(colour);
  doc.fillColor(INK).text('each bin (mean predicted, observed)', legendX + 20, top + 7, {
    lineBreak: false,
  });
  doc
    .moveTo(legendX, top + 24)
    .lineTo(legendX + 14, top + 24)
    .dash(3, { space: 2 })
    .lineWidth(0.7)
    .strokeColor(MUTED)
    .stroke()
    .undash();
  doc.fillColor(INK).text('perfect calibration', legendX + 20, top + 21, { lineBreak: false });
  doc.x = doc.page.margins.left;
  doc.y = top + size + 28;
  paragraph(doc, options.caption, { muted: true, size: 7.5 });
}

/** Stacked bars per x (e.g. each day's outputs), drawn as vectors. */
export function stackedBars(
  doc: Doc,
  title: string,
  bars: { x: string; parts: Record<string, number> }[],
  options: { height?: number } = {},
): void {
  const height = options.height ?? 150;
  if (doc.y + height + 40 > bottom(doc)) doc.addPage();
  const keys = [...new Set(bars.flatMap((b) => Object.keys(b.parts)))].sort();
  const totals = bars.map((b) => Object.values(b.parts).reduce((a, v) => a + v, 0));
  const frame = chartFrame(doc, title, height, 0, niceCeiling(Math.max(...totals, 0)));
  const slot = frame.width / Math.max(1, bars.length);
  const barWidth = Math.min(slot * 0.7, 36);
  bars.forEach((bar, i) => {
    let base = 0;
    keys.forEach((key, k) => {
      const value = bar.parts[key] ?? 0;
      if (value <= 0) return;
      const top = frame.y(base + value);
      const y0 = frame.y(base);
      doc
        .rect(frame.left + i * slot + (slot - barWidth) / 2, top, barWidth, y0 - top)
        .fill(SERIES[k % SERIES.length]);
      base += value;
    });
  });
  frame.xLabels(
    bars.map((b) => b.x),
    true,
  );
  legend(doc, frame, keys);
}

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  x(index: number, count: number): number;
  y(value: number): number;
  xLabels(labels: string[], centred?: boolean): void;
}

function chartFrame(
  doc: Doc,
  title: string,
  height: number,
  min: number,
  max: number,
  yLabel?: string,
): Frame {
  doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(title, doc.page.margins.left, doc.y);
  doc.moveDown(0.3);
  const left = doc.page.margins.left + 40;
  const top = doc.y + 4;
  const width = contentWidth(doc) - 50;
  const span = max - min || 1;
  const y = (value: number) => top + height - ((value - min) / span) * height;
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  for (let i = 0; i <= 4; i++) {
    const value = min + (span * i) / 4;
    const at = y(value);
    doc
      .moveTo(left, at)
      .lineTo(left + width, at)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.text(formatNumber(value), doc.page.margins.left, at - 3, { width: 36, align: 'right' });
  }
  doc
    .moveTo(left, top)
    .lineTo(left, top + height)
    .lineTo(left + width, top + height)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke();
  if (yLabel) doc.text(yLabel, left + 4, top - 2);
  const frame: Frame = {
    left,
    top,
    width,
    height,
    x: (index, count) => left + (count <= 1 ? width / 2 : (index / (count - 1)) * width),
    y,
    xLabels: (labels, centred = false) => {
      const step = Math.max(1, Math.ceil(labels.length / 8));
      const slot = width / Math.max(1, labels.length);
      labels.forEach((label, i) => {
        if (i % step !== 0) return;
        const at = centred ? left + i * slot + slot / 2 : frame.x(i, labels.length);
        doc
          .font('Helvetica')
          .fontSize(7)
          .fillColor(MUTED)
          .text(label, at - 30, top + height + 4, { width: 60, align: 'center' });
      });
      doc.y = top + height + 16;
    },
  };
  return frame;
}

function legend(doc: Doc, frame: Frame, names: string[]): void {
  let x = frame.left;
  const y = doc.y;
  names.forEach((name, i) => {
    doc.rect(x, y + 1, 8, 6).fill(SERIES[i % SERIES.length]);
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(INK)
      .text(name, x + 11, y, { lineBreak: false });
    x += 16 + doc.widthOfString(name);
  });
  doc.x = doc.page.margins.left;
  doc.y = y + 14;
  doc.moveDown(0.5);
}

/** The axis maximum: the value rounded up to 1, 2, 2.5 or 5 times a power of ten. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) < 1 ? 3 : 1);
}

function sum(columns: Column[]): number {
  return columns.reduce((total, column) => total + column.width, 0);
}

/** How a piece of text in a box is set: its font, the size it starts at and the least it shrinks to. */
export interface TextStyle {
  font: string;
  size: number;
  min: number;
  /** Lines it may wrap over before it shrinks. */
  maxLines: number;
}

/** Text fitted to a width: its lines and the size they are set at. */
export interface FittedText {
  lines: string[];
  size: number;
  font: string;
}

const ELLIPSIS = '…';

/**
 * A name or version fitted to a width and shown whole wherever it can be: on one line at its size;
 * else wrapped over up to `maxLines` lines, breaking after - . @ _ / or a space (or inside a run
 * with none); else the same at smaller sizes down to `min`; only then cut in the middle, keeping
 * both ends with … between, so the start and the distinguishing end (a version's suffix) remain.
 */
export function fitText(doc: Doc, text: string, width: number, style: TextStyle): FittedText {
  for (let size = style.size; size >= style.min; size = Math.round((size - 0.5) * 10) / 10) {
    const lines = wrap(doc.font(style.font).fontSize(size), text, width);
    if (lines.length <= style.maxLines) return { lines, size, font: style.font };
  }
  doc.font(style.font).fontSize(style.min);
  const fits = (keep: number) => wrap(doc, middle(text, keep), width).length <= style.maxLines;
  let low = 0;
  let high = text.length - 1;
  while (low < high) {
    const keep = Math.ceil((low + high) / 2);
    if (fits(keep)) low = keep;
    else high = keep - 1;
  }
  return { lines: wrap(doc, middle(text, low), width), size: style.min, font: style.font };
}

/** The first and last characters of text, `keep` of them in all, with … between. */
function middle(text: string, keep: number): string {
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - (keep - head))}`;
}

/** Greedy lines in the current font: breaks after separators, inside a run only when it must. */
function wrap(doc: Doc, text: string, width: number): string[] {
  const pieces = text.match(/[^-.@_/ ]+[-.@_/ ]*|[-.@_/ ]+/g) ?? [''];
  const lines: string[] = [];
  let line = '';
  const fits = (candidate: string) => doc.widthOfString(candidate.trimEnd()) <= width;
  for (const piece of pieces) {
    if (fits(line + piece)) {
      line += piece;
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = '';
    for (const char of piece) {
      if (line && !fits(line + char)) {
        lines.push(line);
        line = '';
      }
      line += char;
    }
  }
  lines.push(line.trimEnd());
  return lines;
}

/** The first line of a lineage box (a name, an id) and the lines under it. */
const BOX_TITLE: TextStyle = { font: 'Helvetica-Bold', size: 7.5, min: 5.5, maxLines: 3 };
const BOX_DETAIL: TextStyle = { font: 'Helvetica', size: 6.5, min: 5.5, maxLines: 2 };
const BOX_PAD = 4;
const BOX_MIN_HEIGHT = 44;

/**
 * Boxes in columns joined by arrows: the lineage of a model version, left to right. Each box is as
 * tall as its text, which fitText sets whole wherever it can.
 */
export function flowDiagram(
  doc: Doc,
  columns: { title: string; boxes: { id: string; lines: string[] }[] }[],
  edges: { from: string; to: string }[],
): void {
  const gap = 26;
  const boxWidth = (contentWidth(doc) - gap * (columns.length - 1)) / columns.length;
  const inner = boxWidth - 2 * BOX_PAD;
  const laidOut = columns.map((column) =>
    column.boxes.map((box) => {
      const texts = box.lines.map((line, i) =>
        fitText(doc, line, inner, i === 0 ? BOX_TITLE : BOX_DETAIL),
      );
      const textHeight = texts.reduce((h, t) => h + t.lines.length * t.size * 1.2, 0);
      return { id: box.id, texts, height: Math.max(BOX_MIN_HEIGHT, textHeight + 2 * BOX_PAD + 2) };
    }),
  );
  const needed = Math.max(
    34,
    ...laidOut.map((boxes) => 14 + boxes.reduce((h, box) => h + box.height + 10, 0)),
  );
  if (doc.y + needed > bottom(doc)) doc.addPage();
  const top = doc.y;
  const at = new Map<string, { x: number; y: number; height: number }>();
  columns.forEach((column, c) => {
    const x = doc.page.margins.left + c * (boxWidth + gap);
    doc
      .font('Helvetica-Bold')
      .fontSize(8)
      .fillColor(MUTED)
      .text(column.title, x, top, { width: boxWidth, align: 'center' });
    let y = top + 14;
    for (const box of laidOut[c]) {
      doc
        .roundedRect(x, y, boxWidth, box.height, 4)
        .lineWidth(0.8)
        .fillAndStroke('#eef3f9', ACCENT);
      let line = y + BOX_PAD + 1;
      box.texts.forEach((text, i) => {
        doc
          .font(text.font)
          .fontSize(text.size)
          .fillColor(i === 0 ? INK : MUTED);
        for (const part of text.lines) {
          doc.text(part, x + BOX_PAD, line, { lineBreak: false });
          line += text.size * 1.2;
        }
      });
      at.set(box.id, { x, y, height: box.height });
      y += box.height + 10;
    }
  });
  for (const edge of edges) {
    const from = at.get(edge.from);
    const to = at.get(edge.to);
    if (!from || !to) continue;
    const x1 = from.x + boxWidth;
    const y1 = from.y + from.height / 2;
    const x2 = to.x;
    const y2 = to.y + to.height / 2;
    doc
      .moveTo(x1, y1)
      .bezierCurveTo(x1 + gap / 2, y1, x2 - gap / 2, y2, x2 - 3, y2)
      .lineWidth(0.8)
      .strokeColor(ACCENT)
      .stroke();
    doc.polygon([x2, y2], [x2 - 5, y2 - 3], [x2 - 5, y2 + 3]).fill(ACCENT);
  }
  doc.x = doc.page.margins.left;
  doc.y = top + needed;
  doc.moveDown(0.5);
}
