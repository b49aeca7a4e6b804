import { barChart, lineChart } from './charts';

/** The markup without the whitespace between tags that the templates' layout adds. */
const tight = (markup: string) => markup.replace(/>\s+/g, '>').replace(/\s+</g, '<');

describe('console charts', () => {
  it('draws a line per series with its figures in a table, titles escaped', () => {
    const chart = tight(
      lineChart({
        title: 'Volume <per day>',
        series: [
          {
            name: '1.0.0',
            points: [
              { x: 1, y: 10 },
              { x: 2, y: 30 },
            ],
          },
          { name: '1.1.0', points: [{ x: 2, y: 5 }] },
        ],
        rules: [{ y: 25, label: 'alert 25' }],
      }).text,
    );
    expect(chart).toContain('aria-label="Volume &lt;per day&gt;"');
    expect(chart.match(/<polyline/g)).toHaveLength(1);
    expect(chart).toContain('<td>1.0.0</td><td>2</td><td>30</td>');
    expect(chart).toContain('alert 25');
    // The last x label is anchored at its end, so it stays inside the drawing.
    const anchors = [...chart.matchAll(/class="tick" x="[\d.]+" y="\d+" text-anchor="(\w+)"/g)];
    expect(anchors.at(-1)?.[1]).toBe('end');
  });

  it('says so when there is nothing to draw', () => {
    expect(lineChart({ title: 'Drift', series: [] }).text).toContain(
      'Drift: no figures in this period.',
    );
    expect(barChart({ title: 'Scores', bars: [] }).text).toContain('Scores: no figures.');
  });

  it('draws paired bars against a baseline with both in the table', () => {
    const chart = tight(
      barChart({
        title: 'Score distribution',
        bars: [
          { label: '0.0–0.1', value: 0.2, compare: 0.1 },
          { label: '0.1–0.2', value: 0.8, compare: 0.9 },
        ],
        legend: ['observed', 'baseline'],
      }).text,
    );
    expect(chart.match(/<rect/g)).toHaveLength(4);
    expect(chart).toContain('<td>0.1–0.2</td><td>0.8</td><td>0.9</td>');
    expect(chart).toContain('baseline');
  });
});
