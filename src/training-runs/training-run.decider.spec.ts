import { given } from '../../tests/support/decider-spec';
import {
  CompleteTrainingRun,
  DatasetVersionLookup,
  FailTrainingRun,
  StartTrainingRun,
  trainingRunDecider,
} from './training-run.decider';
import type {
  TrainingRunCompleted,
  TrainingRunFailed,
  TrainingRunStarted,
} from './training-run.events';

const NOW = '2026-03-02T00:00:00.000Z';
const LATER = '2026-03-02T04:00:00.000Z';
const RUN = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';
const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

const found = (name: string, version: string, contentHash = HASH_A): DatasetVersionLookup => ({
  name,
  version,
  recorded: { contentHash, retired: false },
});

function start(overrides: Partial<StartTrainingRun> = {}): StartTrainingRun {
  return {
    type: 'StartTrainingRun',
    actor: 'dana',
    now: NOW,
    data: {
      runId: RUN,
      model: 'credit-risk',
      code: { repository: 'https://git.bank.example/ml/credit', commit: '3f9c2e1' },
      algorithm: 'xgboost',
      hyperparameters: { maxDepth: 6, eta: 0.1 },
      environment: { python: '3.12', image: 'trainer:2026.02' },
    },
    datasetVersions: [found('loans', '2026-02'), found('bureau', '2026-01', HASH_B)],
    ...overrides,
  };
}

function started(command = start()): TrainingRunStarted {
  return {
    type: 'TrainingRunStarted',
    data: {
      ...command.data,
      datasetVersions: [
        { name: 'loans', version: '2026-02', contentHash: HASH_A },
        { name: 'bureau', version: '2026-01', contentHash: HASH_B },
      ],
      startedBy: command.actor,
      startedAt: command.now,
    },
  };
}

function complete(overrides: Partial<CompleteTrainingRun['data']> = {}): CompleteTrainingRun {
  return {
    type: 'CompleteTrainingRun',
    actor: 'ci-pipeline',
    now: LATER,
    data: {
      runId: RUN,
      metrics: { auc: 0.81, ks: 0.42 },
      validationApproach: '5-fold cross-validation',
      artifact: { uri: 's3://models/credit-risk/run.onnx', digest: DIGEST, format: 'onnx' },
      ...overrides,
    },
  };
}

const completed = (command = complete()): TrainingRunCompleted => ({
  type: 'TrainingRunCompleted',
  data: { ...command.data, completedBy: command.actor, completedAt: command.now },
});

const fail = (reason = 'out of memory'): FailTrainingRun => ({
  type: 'FailTrainingRun',
  actor: 'ci-pipeline',
  now: LATER,
  data: { runId: RUN, reason },
});

const failed = (command = fail()): TrainingRunFailed => ({
  type: 'TrainingRunFailed',
  data: { ...command.data, failedBy: command.actor, failedAt: command.now },
});

describe('training run decider', () => {
  describe('starting a run', () => {
    it('records the run with the content hash of each dataset version it trains on', () => {
      given(trainingRunDecider).when(start()).then([started()]);
    });

    it('refuses dataset versions that are not registered or are retired, naming each', () => {
      let refusal: unknown;
      try {
        trainingRunDecider.decide(
          start({
            datasetVersions: [
              found('loans', '2026-02'),
              { name: 'bureau', version: '2030-01', recorded: null },
              { name: 'old', version: '1', recorded: { contentHash: HASH_B, retired: true } },
            ],
          }),
          trainingRunDecider.initialState(),
        );
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({
        code: 'unknown-dataset-version',
        status: 422,
        details: {
          errors: { datasetVersions: ['bureau@2030-01 is not registered', 'old@1 is retired'] },
        },
      });
    });

    it('refuses a run with no dataset versions, or one named twice', () => {
      given(trainingRunDecider)
        .when(start({ datasetVersions: [] }))
        .thenRefuses('no-dataset-versions', 422);
      given(trainingRunDecider)
        .when(start({ datasetVersions: [found('loans', '1'), found('loans', '1')] }))
        .thenRefuses('duplicate-dataset-version', 422);
    });

    it('is an idempotent success when the same run is started again with the same facts', () => {
      given(trainingRunDecider, [started()])
        .when({ ...start(), actor: 'someone-else', now: LATER })
        .then([]);
    });

    it('refuses to start an existing run id with different facts', () => {
      const other = start();
      given(trainingRunDecider, [started()])
        .when({ ...other, data: { ...other.data, algorithm: 'lightgbm' } })
        .thenRefuses('training-run-exists', 409);
      given(trainingRunDecider, [started()])
        .when(start({ datasetVersions: [found('loans', '2026-02')] }))
        .thenRefuses('training-run-exists', 409);
    });
  });

  describe('finishing a run', () => {
    it('completes a running run with metrics, validation approach and artifact', () => {
      given(trainingRunDecider, [started()]).when(complete()).then([completed()]);
    });

    it('fails a running run with a reason', () => {
      given(trainingRunDecider, [started()]).when(fail()).then([failed()]);
    });

    it('refuses to complete or fail a run never started', () => {
      given(trainingRunDecider).when(complete()).thenRefuses('not-found', 404);
      given(trainingRunDecider).when(fail()).thenRefuses('not-found', 404);
    });

    it('answers an identical repeat of the completion with no event', () => {
      given(trainingRunDecider, [started(), completed()])
        .when({ ...complete(), actor: 'retrying-pipeline', now: '2026-03-03T00:00:00.000Z' })
        .then([]);
    });

    it('answers an identical repeat of the failure with no event', () => {
      given(trainingRunDecider, [started(), failed()]).when(fail()).then([]);
    });

    it('finishes once: another completion, or a failure after completion, is refused', () => {
      given(trainingRunDecider, [started(), completed()])
        .when(complete({ metrics: { auc: 0.9 } }))
        .thenRefuses('training-run-finished', 409);
      given(trainingRunDecider, [started(), completed()])
        .when(fail())
        .thenRefuses('training-run-finished', 409);
    });

    it('finishes once: a completion, or another failure, after failure is refused', () => {
      given(trainingRunDecider, [started(), failed()])
        .when(complete())
        .thenRefuses('training-run-finished', 409);
      given(trainingRunDecider, [started(), failed()])
        .when(fail('disk full'))
        .thenRefuses('training-run-finished', 409);
    });

    it('folds the lifecycle into the state other capabilities read', () => {
      const { state } = given(trainingRunDecider, [started(), completed()]);
      expect(state).toMatchObject({
        status: 'completed',
        started: { model: 'credit-risk', startedBy: 'dana' },
        completed: { artifact: { digest: DIGEST } },
      });
    });
  });
});
