import { accountFor } from '../../privacy/deletion-accounting';
import { deletionAccounting } from './compliance-reports';

const affected = {
  datasetVersions: [
    { name: 'loans', version: '2026-01' },
    { name: 'bureau', version: '2026-02' },
  ],
  models: [{ name: 'credit-risk', version: '1.4.0' }],
  deployments: ['credit-risk.production', 'limits.staging'],
};

describe('deletion accounting in the OAIC report', () => {
  it('warns about a fulfilled request recorded with items unaccounted for, naming each', () => {
    const legacy = deletionAccounting('fulfilled', affected, {
      replacementDatasetVersions: [],
      retrainedModels: [],
      exceptions: [{ item: 'loan ledger', reason: 'retention obligation' }],
    });
    expect(legacy.accounting).toEqual([]);
    expect(legacy.unaccounted).toHaveLength(5);
    expect(legacy.warning).toBe(
      'fulfilled with 5 of 5 affected item(s) not accounted for by a replacement, a retraining or an exception (recorded before every item had to be): dataset-version loans@2026-01, dataset-version bureau@2026-02, model credit-risk@1.4.0, deployment credit-risk.production, deployment limits.staging',
    );
  });

  it('marks accounting read from an older fulfilment as inferred, and recorded accounting as not', () => {
    const small = {
      datasetVersions: [{ name: 'loans', version: '2026-01' }],
      models: [],
      deployments: [],
    };
    const stated = {
      replacementDatasetVersions: [{ name: 'loans', version: '2026-01-r1' }],
      retrainedModels: [],
      exceptions: [],
    };
    expect(deletionAccounting('fulfilled', small, stated)).toMatchObject({
      accounting: [{ by: 'replacement', inferred: true }],
      unaccounted: [],
      warning: null,
    });
    const recorded = { ...stated, accountedFor: accountFor(small, stated).accounted };
    expect(deletionAccounting('fulfilled', small, recorded).accounting).toEqual([
      {
        kind: 'dataset-version',
        id: 'loans@2026-01',
        by: 'replacement',
        detail: 'loans@2026-01-r1',
        inferred: false,
      },
    ]);
  });

  it('says nothing about a request not yet fulfilled', () => {
    expect(deletionAccounting('assessed', affected, null)).toEqual({
      accounting: [],
      unaccounted: [],
      warning: null,
    });
  });
});
