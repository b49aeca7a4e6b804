import { diagramSvg, layoutDiagram, type DiagramNode } from './lineage-diagram';

const node = (key: string, kind: string, label = key): DiagramNode => ({ key, kind, label });

describe('lineage diagram layout', () => {
  const nodes = [
    node('d2', 'dataset version', 'child@v2'),
    node('d1', 'dataset version', 'parent@v1'),
    node('r', 'training run'),
    node('m', 'model version', 'credit@1.0.0'),
    node('h', 'dataset version', 'holdout@v1'),
    node('dep', 'deployment', 'credit.production'),
    node('e', 'evaluation'),
  ];
  const edges = [
    { from: 'd1', to: 'd2', relation: 'derived-into' },
    { from: 'd2', to: 'r', relation: 'trained' },
    { from: 'r', to: 'm', relation: 'produced' },
    { from: 'h', to: 'm', relation: 'evaluated' },
    { from: 'm', to: 'dep', relation: 'deployed-to' },
    { from: 'm', to: 'e', relation: 'evaluated-by' },
  ];

  it('puts each node in the column of its longest path from a source', () => {
    const layout = layoutDiagram(nodes, edges);
    const column = (key: string) => layout.position.get(key)?.column;
    expect(['d1', 'h', 'd2', 'r', 'm', 'dep', 'e'].map(column)).toEqual([0, 0, 1, 2, 3, 4, 4]);
    expect(layout.columns).toBe(5);
    expect(layout.rows).toBe(2);
    // Within a column: by kind (evaluation before deployment), then label.
    expect(layout.position.get('e')?.row).toBe(0);
    expect(layout.position.get('dep')?.row).toBe(1);
  });

  it('survives a cycle and edges to nodes it does not draw', () => {
    const layout = layoutDiagram(
      [node('a', 'dataset version'), node('b', 'dataset version')],
      [
        { from: 'a', to: 'b', relation: 'x' },
        { from: 'b', to: 'a', relation: 'x' },
        { from: 'a', to: 'missing', relation: 'x' },
      ],
    );
    expect(layout.position.size).toBe(2);
  });

  it('draws an SVG titled for screen readers, escaping every label', () => {
    const svg = diagramSvg('Lineage of <x>', [node('a', 'dataset version', 'a<b>@v1')], []).text;
    expect(svg).toMatch(/^<svg class="lineage"[^>]* role="img" aria-label="Lineage of &lt;x&gt;"/);
    expect(svg).toContain('<title>Lineage of &lt;x&gt;</title>');
    expect(svg).toContain('data-node="a&lt;b&gt;@v1"');
    expect(svg).not.toContain('<b>');
  });
});
