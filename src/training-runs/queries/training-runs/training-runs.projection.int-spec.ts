import { DecidedStream } from '../../../../tests/support/decided-stream';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { streams } from '../../../ledger/stream-names';
import {
  type CompleteTrainingRun,
  type TrainingRunCommand,
  type TrainingRunState,
  trainingRunDecider,
} from '../../training-run.decider';
import type { TrainingRunEvent } from '../../training-run.events';
import { TrainingRunsProjection } from './training-runs.projection';

const HASH_A = `sha256:${'a'.repeat(64)}`;
const DIGEST = `sha256:${'c'.repeat(64)}`;
const RUN_1 = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e71';
const RUN_2 = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e72';
const RUN_3 = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e73';

const run = (runId: string) =>
  new DecidedStream<TrainingRunCommand, TrainingRunEvent, TrainingRunState>(
    trainingRunDecider,
    streams.trainingRun(runId),
  );

const start = (runId: string, model = 'credit-risk'): TrainingRunCommand => ({
  type: 'StartTrainingRun',
  actor: 'dana',
  now: '2026-03-02T00:00:00.000Z',
  data: {
    runId,
    model,
    code: { repository: 'https://git.bank.example/ml/credit', commit: '3f9c2e1' },
    algorithm: 'xgboost',
    hyperparameters: { maxDepth: 6, eta: 0.1, objective: 'binary:logistic' },
    environment: { python: '3.12', image: 'trainer:2026.02', gpu: false },
  },
  datasetVersions: [
    { name: 'loans', version: '2026-02', recorded: { contentHash: HASH_A, retired: false } },
  ],
});

const complete = (
  runId: string,
  overrides: Partial<CompleteTrainingRun['data']> = {},
): TrainingRunCommand => ({
  type: 'CompleteTrainingRun',
  actor: 'ci-pipeline',
  now: '2026-03-02T04:00:00.000Z',
  data: {
    runId,
    metrics: { auc: 0.81, ks: 0.42 },
    validationApproach: '5-fold cross-validation',
    artifact: { uri: `s3://models/credit-risk/${runId}.onnx`, digest: DIGEST, format: 'onnx' },
    ...overrides,
  },
});

const fail = (runId: string, reason = 'out of memory on fold 3'): TrainingRunCommand => ({
  type: 'FailTrainingRun',
  actor: 'ci-pipeline',
  now: '2026-03-02T05:00:00.000Z',
  data: { runId, reason },
});

describe('training-runs projection', () => {
  let spec: ProjectionSpec<TrainingRunsProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(TrainingRunsProjection);
  });
  afterAll(() => spec?.close());

  const runs = () =>
    spec.rows<Record<string, unknown>>('SELECT * FROM training_runs ORDER BY run_id');

  it('handles the training-run stream’s event types, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'TrainingRunCompleted',
      'TrainingRunFailed',
      'TrainingRunStarted',
    ]);
  });

  it('records a started run with everything it trains on, once', async () => {
    const first = run(RUN_1).one('TrainingRunStarted', start(RUN_1));
    const second = run(RUN_2).one('TrainingRunStarted', start(RUN_2, 'fraud'));
    // A hand-made second start of the first run (its own stream, say a bad import) changes nothing.
    const again = {
      ...first,
      stream: 'training-run-imported',
      data: { ...first.data, model: 'x' },
    };
    const recorded = await spec.given([first, second, again]);
    const rows = await runs();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      run_id: RUN_1,
      model: 'credit-risk',
      status: 'running',
      dataset_versions: [{ name: 'loans', version: '2026-02', contentHash: HASH_A }],
      code: { repository: 'https://git.bank.example/ml/credit', commit: '3f9c2e1' },
      algorithm: 'xgboost',
      hyperparameters: { maxDepth: 6, eta: 0.1, objective: 'binary:logistic' },
      environment: { python: '3.12', image: 'trainer:2026.02', gpu: false },
      metrics: null,
      validation_approach: null,
      artifact: null,
      failure_reason: null,
      started_by: 'dana',
      started_at: new Date('2026-03-02T00:00:00.000Z'),
      finished_by: null,
      finished_at: null,
      last_revision: expect.anything(),
    });
    expect(String(rows[0].last_revision)).toBe(String(recorded[0].revision));
    expect(rows[1]).toMatchObject({ run_id: RUN_2, model: 'fraud', status: 'running' });
  });

  it('completes a run with its metrics, validation and artifact', async () => {
    const stream = run(RUN_1);
    const recorded = await spec.given([
      ...stream.when(start(RUN_1)),
      ...stream.when(complete(RUN_1)),
    ]);
    const [row] = await runs();
    expect(row).toMatchObject({
      status: 'completed',
      metrics: { auc: 0.81, ks: 0.42 },
      validation_approach: '5-fold cross-validation',
      artifact: { uri: `s3://models/credit-risk/${RUN_1}.onnx`, digest: DIGEST, format: 'onnx' },
      failure_reason: null,
      finished_by: 'ci-pipeline',
      finished_at: new Date('2026-03-02T04:00:00.000Z'),
    });
    expect(String(row.last_revision)).toBe(String(recorded[1].revision));
  });

  it('fails a run with its reason', async () => {
    const stream = run(RUN_1);
    await spec.given([...stream.when(start(RUN_1)), ...stream.when(fail(RUN_1))]);
    const [row] = await runs();
    expect(row).toMatchObject({
      status: 'failed',
      failure_reason: 'out of memory on fold 3',
      metrics: null,
      finished_by: 'ci-pipeline',
      finished_at: new Date('2026-03-02T05:00:00.000Z'),
    });
  });

  it('applies two completions of one run in one page in ledger order, and a replay changes nothing', async () => {
    const one = run(RUN_1);
    const two = run(RUN_2);
    const started = [...one.when(start(RUN_1)), ...two.when(start(RUN_2))];
    const first = one.one('TrainingRunCompleted', complete(RUN_1));
    // Recorded straight after (no decider would): the later figures are the ones that stand.
    const corrected = { ...first, data: { ...first.data, metrics: { auc: 0.79, ks: 0.4 } } };
    // A completion of a run never started: nothing to complete.
    const orphan = {
      ...first,
      stream: streams.trainingRun(RUN_3),
      data: { ...first.data, runId: RUN_3 },
    };
    const recorded = await spec.given([
      ...started,
      orphan,
      first,
      ...two.when(complete(RUN_2)),
      corrected,
    ]);
    const rows = await runs();
    expect(rows.map((row) => [row.run_id, row.status, row.metrics])).toEqual([
      [RUN_1, 'completed', { auc: 0.79, ks: 0.4 }],
      [RUN_2, 'completed', { auc: 0.81, ks: 0.42 }],
    ]);
    // The same events delivered again: every update is guarded by the stream revision.
    await spec.apply(recorded);
    expect(await runs()).toEqual(rows);
  });

  it('skips an event whose run id is not a UUID instead of stalling on it', async () => {
    const [started] = spec.record([run(RUN_1).one('TrainingRunStarted', start(RUN_1))]);
    const malformed = { ...started, data: { ...started.data, runId: 'run-1' } };
    await spec.truncate();
    await spec.apply([malformed, started]);
    expect((await runs()).map((row) => row.run_id)).toEqual([RUN_1]);
  });

  it('writes a run of starts, or of completions of distinct runs, in one statement', async () => {
    const ids = Array.from(
      { length: 20 },
      (_, index) => `01936f0e-8a7b-7c3d-9e1f-${String(index).padStart(12, '0')}`,
    );
    const streamsOf = ids.map((id) => run(id));
    const started = spec.record(ids.flatMap((id, index) => streamsOf[index].when(start(id))));
    const completed = spec.record(ids.flatMap((id, index) => streamsOf[index].when(complete(id))));
    await spec.truncate();
    expect(await statementsToApply(spec, started, null)).toBe(1);
    await spec.apply(started);
    expect(await statementsToApply(spec, completed, null)).toBe(1);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    const [one, two, three] = [run(RUN_1), run(RUN_2), run(RUN_3)];
    await spec.expectRebuildEqualsLive([
      ...one.when(start(RUN_1)),
      ...two.when(start(RUN_2, 'fraud')),
      ...three.when(start(RUN_3)),
      ...one.when(complete(RUN_1)),
      ...two.when(fail(RUN_2)),
      ...three.when(complete(RUN_3, { metrics: { auc: 0.7 } })),
    ]);
  });
});
