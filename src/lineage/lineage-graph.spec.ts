import { acceptsNodeId, canonicalNodeId, isLineageNodeKind } from './lineage-graph';

describe('lineage node ids', () => {
  it.each([
    ['dataset-version', 'credit-applications@2026-01', true],
    ['dataset-version', 'credit-applications', false],
    ['dataset-version', 'Credit@2026-01', false],
    ['dataset-version', 'credit@2026@01', false],
    ['model-version', 'credit-risk@1.4.0', true],
    ['model-version', '@1.4.0', false],
    ['deployment', 'credit-risk.production', true],
    ['deployment', 'credit-risk', false],
    ['training-run', '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f', true],
    ['training-run', 'run-1', false],
    ['prediction-batch', '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f', true],
    ['prediction-batch', 'credit-risk.production', false],
  ] as const)('%s %s: %s', (kind, id, accepted) => {
    expect(acceptsNodeId(kind, id)).toBe(accepted);
  });

  it('knows the five kinds, and compares UUIDs in lower case only', () => {
    expect(isLineageNodeKind('deployment')).toBe(true);
    expect(isLineageNodeKind('dataset')).toBe(false);
    expect(canonicalNodeId('training-run', 'ABC')).toBe('abc');
    expect(canonicalNodeId('model-version', 'credit-risk@RC1')).toBe('credit-risk@RC1');
  });
});
