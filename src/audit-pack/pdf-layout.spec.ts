import PDFDocument from 'pdfkit';
import { flowing, pdfText } from '../../tests/support/pdf';
import { isoDay, isoInstant } from './pdf-dates';
import { type TextStyle, fitText, flowDiagram } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

/** A one-page A4 document drawn by `draw`, as bytes. */
async function render(draw: (doc: Doc) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 50, right: 50 },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', resolve));
  draw(doc);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

const TITLE: TextStyle = { font: 'Helvetica-Bold', size: 7.5, min: 5.5, maxLines: 3 };
/** The width of a box's text in the four-column lineage diagram of an A4 page. */
const INNER = (495 - 3 * 26) / 4 - 8;

describe('fitText', () => {
  const doc = new PDFDocument({ size: 'A4' });
  const width = (text: string, fitted: { font: string; size: number }) =>
    doc.font(fitted.font).fontSize(fitted.size).widthOfString(text);

  it('keeps a name that fits on one line at its size', () => {
    expect(fitText(doc, 'loan-applications-2026-q3', INNER, TITLE)).toEqual({
      lines: ['loan-applications-2026-q3'],
      size: 7.5,
      font: 'Helvetica-Bold',
    });
  });

  it('wraps a longer name after its separators, whole, before it shrinks', () => {
    const name = 'retail-credit-limit-increase-applications-2026-q3@2026.09.30-rc2';
    const fitted = fitText(doc, name, INNER, TITLE);
    expect(fitted.size).toBe(7.5);
    expect(fitted.lines.length).toBeGreaterThan(1);
    expect(fitted.lines.join('')).toBe(name);
    for (const line of fitted.lines) expect(width(line, fitted)).toBeLessThanOrEqual(INNER);
    expect(fitted.lines.slice(0, -1).every((line) => /[-.@_/]$/.test(line))).toBe(true);
  });

  it('shrinks the type before it cuts anything', () => {
    const name = 'a'.repeat(80);
    const fitted = fitText(doc, name, INNER, TITLE);
    expect(fitted.size).toBeLessThan(7.5);
    expect(fitted.size).toBeGreaterThanOrEqual(5.5);
    expect(fitted.lines.join('')).toBe(name);
  });

  it('cuts only past the smallest size, in the middle, keeping both ends', () => {
    const name = `start-${'x'.repeat(400)}-2026.09.30-rc2`;
    const fitted = fitText(doc, name, INNER, TITLE);
    expect(fitted.size).toBe(5.5);
    expect(fitted.lines).toHaveLength(3);
    const shown = fitted.lines.join('');
    expect(shown).toMatch(/^start-x+…x+-2026\.09\.30-rc2$/);
    for (const line of fitted.lines) expect(width(line, fitted)).toBeLessThanOrEqual(INNER);
  });
});

describe('flowDiagram', () => {
  it('shows long dataset and model names and versions whole in the PDF text', async () => {
    const pdf = await render((doc) =>
      flowDiagram(
        doc,
        [
          {
            title: 'Dataset versions',
            boxes: [
              {
                id: 'd',
                lines: ['loan-applications-2026-q3', 'version 2026.09.30-rc2', 'sha256:abc…'],
              },
            ],
          },
          {
            title: 'Model version',
            boxes: [
              {
                id: 'mv',
                lines: ['retail-credit-limit-increase-scorer', 'version 2026.10.0-rc1+build.7'],
              },
            ],
          },
        ],
        [{ from: 'd', to: 'mv' }],
      ),
    );
    const { text } = await pdfText(pdf);
    expect(text).toContain('loan-applications-2026-q3');
    expect(text).toContain('version 2026.09.30-rc2');
    expect(flowing(text).replace(/ /g, '')).toContain('retail-credit-limit-increase-scorer');
    expect(text).toContain('2026.10.0-rc1+build.7');
    expect(text).not.toContain('loan-…');
  });
});

describe('PDF dates', () => {
  it('prints instants and days as ISO 8601 in UTC, whatever form they arrive in', () => {
    const instant = new Date('2026-12-02T00:00:00.000Z');
    expect(isoInstant(instant)).toBe('2026-12-02T00:00:00.000Z');
    expect(isoInstant('2026-12-02T10:00:00+10:00')).toBe('2026-12-02T00:00:00.000Z');
    expect(isoDay(instant)).toBe('2026-12-02');
    expect(isoDay('2026-12-02')).toBe('2026-12-02');
    expect(isoDay('2026-12-02T09:30:00.000Z')).toBe('2026-12-02');
    // What String(date) gives (the form the audit pack once printed) comes out ISO too.
    expect(isoDay(String(instant))).toBe('2026-12-02');
    expect(isoInstant(null)).toBe('—');
    expect(isoDay(undefined)).toBe('—');
    expect(isoInstant('not recorded')).toBe('not recorded');
  });
});
