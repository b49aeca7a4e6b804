import { given } from '../../tests/support/decider-spec';
import {
  RecordEvaluation,
  RegisterModelVersion,
  RetireModelVersion,
  StoreModelArtifact,
  TrainingRunFacts,
  UpdateModelCard,
  modelDecider,
} from './model.decider';
import type {
  ModelCardUpdated,
  ModelEvaluated,
  ModelVersionRegistered,
  ModelVersionRetired,
} from './model.events';

const NOW = '2026-03-05T00:00:00.000Z';
const LATER = '2026-03-06T00:00:00.000Z';
const RUN = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';
const ARTIFACT = `sha256:${'c'.repeat(64)}`;
const OTHER_ARTIFACT = `sha256:${'d'.repeat(64)}`;
const DATASET_HASH = `sha256:${'a'.repeat(64)}`;

const completedRun = (overrides: Partial<TrainingRunFacts> = {}): TrainingRunFacts => ({
  model: 'credit-risk',
  status: 'completed',
  startedBy: 'tess',
  datasetVersions: [{ name: 'loans', version: '2026-02', contentHash: DATASET_HASH }],
  artifactDigest: ARTIFACT,
  ...overrides,
});

function registration(
  overrides: Partial<RegisterModelVersion['data']> = {},
  run: TrainingRunFacts | null = completedRun(),
): RegisterModelVersion {
  return {
    type: 'RegisterModelVersion',
    actor: 'dana',
    now: NOW,
    run,
    data: {
      model: 'credit-risk',
      version: '1.0.0',
      runId: RUN,
      artifactDigest: null,
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intendedUse: 'consumer credit applications up to $50k',
      limitations: ['not validated for business lending'],
      owner: 'head-of-credit-risk',
      vendor: null,
      ...overrides,
    },
  };
}

function registered(command = registration()): ModelVersionRegistered {
  return {
    type: 'ModelVersionRegistered',
    data: {
      ...command.data,
      trainedBy: 'tess',
      datasetVersions: completedRun().datasetVersions,
      artifactDigest: ARTIFACT,
      registeredBy: command.actor,
      registeredAt: command.now,
    },
  };
}

const cardUpdate = (changes: UpdateModelCard['data']['changes']): UpdateModelCard => ({
  type: 'UpdateModelCard',
  actor: 'dana',
  now: LATER,
  data: { model: 'credit-risk', version: '1.0.0', changes },
});

function evaluation(
  overrides: Partial<RecordEvaluation['data']> = {},
  datasetContentHash: string | null = DATASET_HASH,
): RecordEvaluation {
  return {
    type: 'RecordEvaluation',
    actor: 'ci-pipeline',
    now: LATER,
    datasetContentHash,
    data: {
      model: 'credit-risk',
      version: '1.0.0',
      evaluationId: 'eval-1',
      datasetVersion: { name: 'loans', version: '2026-02' },
      metrics: { auc: 0.8 },
      baseline: null,
      fairness: [
        {
          attribute: 'age-band',
          metric: 'demographic-parity-ratio',
          value: 0.91,
          threshold: 0.8,
          groups: { '18-25': 0.3, '26-64': 0.33 },
          passed: true,
        },
      ],
      verdict: 'pass',
      ...overrides,
    },
  };
}

const retirement: RetireModelVersion = {
  type: 'RetireModelVersion',
  actor: 'dana',
  now: LATER,
  data: { model: 'credit-risk', version: '1.0.0', reason: 'superseded by 1.1.0' },
};

const retired: ModelVersionRetired = {
  type: 'ModelVersionRetired',
  data: { ...retirement.data, retiredBy: 'dana', retiredAt: LATER },
};

describe('model decider', () => {
  describe('registering a version', () => {
    it('records it with the run’s author, dataset versions and artifact digest', () => {
      given(modelDecider).when(registration()).then([registered()]);
    });

    it('accepts an artifact digest equal to the run’s', () => {
      given(modelDecider)
        .when(registration({ artifactDigest: ARTIFACT }))
        .then([registered()]);
    });

    it('refuses an artifact digest other than the run’s', () => {
      given(modelDecider)
        .when(registration({ artifactDigest: OTHER_ARTIFACT }))
        .thenRefuses('artifact-mismatch', 422);
    });

    it('refuses a run never recorded', () => {
      given(modelDecider).when(registration({}, null)).thenRefuses('unknown-training-run', 422);
    });

    it.each(['running', 'failed'] as const)('refuses a run that is %s', (status) => {
      given(modelDecider)
        .when(registration({}, completedRun({ status, artifactDigest: null })))
        .thenRefuses('training-run-not-completed', 422);
    });

    it('refuses a run that trained another model', () => {
      given(modelDecider)
        .when(registration({}, completedRun({ model: 'fraud' })))
        .thenRefuses('training-run-of-another-model', 422);
    });

    it('is an idempotent success when the same version is registered again with the same facts', () => {
      given(modelDecider, [registered()])
        .when({ ...registration({ artifactDigest: ARTIFACT }), actor: 'other', now: LATER })
        .then([]);
    });

    it('refuses the same version with different facts: versions are immutable', () => {
      given(modelDecider, [registered()])
        .when(registration({ riskTier: 'low' }))
        .thenRefuses('model-version-immutable', 409);
      given(modelDecider, [registered()])
        .when(registration({}, completedRun({ artifactDigest: OTHER_ARTIFACT })))
        .thenRefuses('model-version-immutable', 409);
    });

    it('names each differing fact with the registered and the given value', () => {
      const state = given(modelDecider, [registered()]).state;
      let refusal: unknown;
      try {
        modelDecider.decide(registration({ riskTier: 'low', limitations: [] }), state);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({
        code: 'model-version-immutable',
        details: {
          differs: ['riskTier', 'limitations'],
          errors: {
            riskTier: ['registered "high", given "low"'],
            'limitations.0': [expect.stringMatching(/^registered ".+", given null$/)],
          },
        },
      });
    });

    it('keeps a version immutable even after its card was updated', () => {
      const updated: ModelCardUpdated = {
        type: 'ModelCardUpdated',
        data: {
          model: 'credit-risk',
          version: '1.0.0',
          changes: { owner: 'cro' },
          updatedBy: 'dana',
          updatedAt: LATER,
        },
      };
      given(modelDecider, [registered(), updated]).when(registration()).then([]);
    });

    it('records a vendor model and a model using no personal information', () => {
      const vendor = registration({ vendor: 'Acme Scoring Pty Ltd', personalInformationKinds: [] });
      given(modelDecider)
        .when(vendor)
        .then([registered(vendor)]);
    });

    it('refuses an unknown risk tier or decision class, and a kind listed twice', () => {
      given(modelDecider)
        .when(registration({ riskTier: 'extreme' as never }))
        .thenRefuses('invalid-model-version', 422);
      given(modelDecider)
        .when(registration({ decisionClass: 'fully-manual' as never }))
        .thenRefuses('invalid-model-version', 422);
      given(modelDecider)
        .when(registration({ personalInformationKinds: ['financial', 'financial'] }))
        .thenRefuses('invalid-model-version', 422);
    });

    it('accepts a new version beside an existing one', () => {
      const next = registration({ version: '1.1.0' });
      given(modelDecider, [registered()])
        .when(next)
        .then([registered(next)]);
    });
  });

  describe('model card updates', () => {
    it('records only the fields that change', () => {
      given(modelDecider, [registered()])
        .when(
          cardUpdate({
            owner: 'head-of-credit-risk',
            humanOversight: 'referrals reviewed by a credit officer',
            limitations: ['not validated for business lending', 'thin-file applicants'],
          }),
        )
        .then([
          {
            type: 'ModelCardUpdated',
            data: {
              model: 'credit-risk',
              version: '1.0.0',
              changes: {
                limitations: ['not validated for business lending', 'thin-file applicants'],
                humanOversight: 'referrals reviewed by a credit officer',
              },
              updatedBy: 'dana',
              updatedAt: LATER,
            },
          },
        ]);
    });

    it('folds updates into the current card', () => {
      const [first] = given(modelDecider, [registered()])
        .when(cardUpdate({ owner: 'cro', explainability: 'SHAP reason codes' }))
        .events();
      const { state } = given(modelDecider, [registered(), first]);
      expect(state.versions.get('1.0.0')?.card).toMatchObject({
        owner: 'cro',
        explainability: 'SHAP reason codes',
        intendedUse: 'consumer credit applications up to $50k',
      });
      given(modelDecider, [registered(), first])
        .when(cardUpdate({ owner: 'cro' }))
        .then([]);
    });

    it('refuses an update naming no field', () => {
      given(modelDecider, [registered()])
        .when(cardUpdate({}))
        .thenRefuses('empty-card-update', 422);
    });

    it('refuses an update of an unknown version (404) or a retired one (409)', () => {
      given(modelDecider)
        .when(cardUpdate({ owner: 'cro' }))
        .thenRefuses('not-found', 404);
      given(modelDecider, [registered(), retired])
        .when(cardUpdate({ owner: 'cro' }))
        .thenRefuses('model-version-retired', 409);
    });
  });

  describe('evaluations', () => {
    it('records an evaluation with the dataset version’s content hash', () => {
      const [event] = given(modelDecider, [registered()]).when(evaluation()).events();
      expect(event).toEqual({
        type: 'ModelEvaluated',
        data: {
          ...evaluation().data,
          datasetVersion: { name: 'loans', version: '2026-02', contentHash: DATASET_HASH },
          evaluatedBy: 'ci-pipeline',
          evaluatedAt: LATER,
        },
      } satisfies ModelEvaluated);
    });

    it('records an evaluation id once', () => {
      const [event] = given(modelDecider, [registered()]).when(evaluation()).events();
      given(modelDecider, [registered(), event]).when(evaluation()).then([]);
    });

    it('records an evaluation Attest performed, with its service record, once per run id', () => {
      const service = { runId: 'run-1' } as unknown as NonNullable<
        RecordEvaluation['data']['service']
      >;
      const attest = evaluation({ evaluationId: 'run-1', performedBy: 'attest', service });
      const [event] = given(modelDecider, [registered()]).when(attest).events();
      expect(event.data).toMatchObject({ evaluationId: 'run-1', performedBy: 'attest', service });
      // A retried run records nothing again, whatever it measured the second time.
      given(modelDecider, [registered(), event])
        .when(
          evaluation({ evaluationId: 'run-1', performedBy: 'attest', service, verdict: 'fail' }),
        )
        .then([]);
    });

    it('refuses an Attest evaluation without its service record, and a service record claimed by a pipeline', () => {
      const service = { runId: 'run-1' } as unknown as NonNullable<
        RecordEvaluation['data']['service']
      >;
      given(modelDecider, [registered()])
        .when(evaluation({ performedBy: 'attest' }))
        .thenRefuses('evaluation-performer-mismatch', 422);
      given(modelDecider, [registered()])
        .when(evaluation({ performedBy: 'pipeline', service }))
        .thenRefuses('evaluation-performer-mismatch', 422);
    });

    it('refuses an evaluation on a dataset version not registered', () => {
      given(modelDecider, [registered()])
        .when(evaluation({}, null))
        .thenRefuses('unknown-dataset-version', 422);
    });

    it('refuses a baseline version that is not registered, and accepts one that is', () => {
      given(modelDecider, [registered()])
        .when(evaluation({ baseline: { version: '0.9.0', metrics: { auc: 0.7 } } }))
        .thenRefuses('unknown-baseline-version', 422);
      const next = registered(registration({ version: '1.1.0' }));
      const [event] = given(modelDecider, [registered(), next])
        .when(
          evaluation({ version: '1.1.0', baseline: { version: '1.0.0', metrics: { auc: 0.8 } } }),
        )
        .events();
      expect(event.type).toBe('ModelEvaluated');
    });

    it('refuses an evaluation of an unknown version (404) or a retired one (409)', () => {
      given(modelDecider).when(evaluation()).thenRefuses('not-found', 404);
      given(modelDecider, [registered(), retired])
        .when(evaluation())
        .thenRefuses('model-version-retired', 409);
    });
  });

  describe('retirement', () => {
    it('retires a version once', () => {
      given(modelDecider, [registered()]).when(retirement).then([retired]);
      given(modelDecider, [registered(), retired]).when(retirement).then([]);
    });

    it('refuses to retire an unknown version', () => {
      given(modelDecider).when(retirement).thenRefuses('not-found', 404);
    });
  });

  describe('storing the artifact', () => {
    const store = (digest = ARTIFACT): StoreModelArtifact => ({
      type: 'StoreModelArtifact',
      actor: 'ci',
      now: LATER,
      data: {
        model: 'credit-risk',
        version: '1.0.0',
        digest,
        size: 334,
        irVersion: 8,
        producerName: 'skl2onnx',
        producerVersion: '1.17.0',
        opsets: [{ domain: '', version: 17 }],
        operators: [{ domain: '', opType: 'MatMul' }],
        inputs: [{ name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 4] }],
        outputs: [{ name: 'probability', kind: 'tensor', elementType: 'float32', shape: ['N', 1] }],
        scoreOutput: 'probability',
        onnxruntimeVersion: '1.30.0',
      },
    });
    const stored = {
      type: 'ModelArtifactStored' as const,
      data: { ...store().data, storedBy: 'ci', storedAt: LATER },
    };

    it('records the file whose digest is the registered one, once', () => {
      given(modelDecider, [registered()]).when(store()).then([stored]);
      given(modelDecider, [registered(), stored]).when(store()).then([]);
    });

    it('refuses another digest, naming both', () => {
      let refusal: unknown;
      try {
        modelDecider.decide(
          store(OTHER_ARTIFACT),
          given(modelDecider, [registered(), stored]).state,
        );
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({
        code: 'artifact-digest-mismatch',
        status: 422,
        details: { digest: OTHER_ARTIFACT, artifactDigest: ARTIFACT },
      });
    });

    it('refuses an unregistered version', () => {
      given(modelDecider).when(store()).thenRefuses('not-found', 404);
    });
  });

  describe('versions named like Object.prototype members', () => {
    it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
      'registers %s, updates its card and retires it',
      (version) => {
        const command = registration({ version });
        const [event] = given(modelDecider).when(command).events();
        expect(event).toMatchObject({ type: 'ModelVersionRegistered', data: { version } });
        given(modelDecider, [event]).when(command).then([]);
        const update = { ...cardUpdate({ owner: 'rosa' }) };
        update.data = { ...update.data, version };
        expect(given(modelDecider, [event]).when(update).events()).toMatchObject([
          { type: 'ModelCardUpdated', data: { version, changes: { owner: 'rosa' } } },
        ]);
        given(modelDecider).when(update).thenRefuses('not-found', 404);
        const retire = { ...retirement, data: { ...retirement.data, version } };
        expect(given(modelDecider, [event]).when(retire).events()).toHaveLength(1);
      },
    );
  });
});
