import { accountFor, affectedField, affectedItems } from './deletion-accounting';

const affected = {
  datasetVersions: [
    { name: 'loans', version: '2026-01' },
    { name: 'bureau', version: '2026-02' },
  ],
  models: [{ name: 'credit-risk', version: '1.4.0' }],
  deployments: ['credit-risk.production', 'limits.staging'],
};

describe('deletion accounting', () => {
  it('lists every affected item and the assessment field that names it', () => {
    const items = affectedItems(affected);
    expect(items.map((item) => affectedField(affected, item))).toEqual([
      'affected.datasetVersions.0',
      'affected.datasetVersions.1',
      'affected.models.0',
      'affected.deployments.0',
      'affected.deployments.1',
    ]);
  });

  it('reads a fulfilment recorded before the rule: same-name replacements and retrainings, exceptions whose item is an id', () => {
    const { accounted, unaccounted } = accountFor(affected, {
      replacementDatasetVersions: [{ name: 'loans', version: '2026-01-r1' }],
      retrainedModels: [{ name: 'credit-risk', version: '1.4.1' }],
      exceptions: [
        { item: 'limits.staging', reason: 'decommissioned' },
        { item: 'loan ledger', reason: 'retention obligation' },
      ],
    });
    expect(accounted).toEqual([
      {
        kind: 'dataset-version',
        id: 'loans@2026-01',
        by: 'replacement',
        detail: 'loans@2026-01-r1',
      },
      { kind: 'model', id: 'credit-risk@1.4.0', by: 'retraining', detail: 'credit-risk@1.4.1' },
      {
        kind: 'deployment',
        id: 'credit-risk.production',
        by: 'retraining',
        detail: 'credit-risk@1.4.1',
      },
      { kind: 'deployment', id: 'limits.staging', by: 'exception', detail: 'decommissioned' },
    ]);
    expect(unaccounted).toEqual([{ kind: 'dataset-version', id: 'bureau@2026-02' }]);
  });
});
