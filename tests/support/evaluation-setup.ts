import { createHash } from 'node:crypto';
import { EvaluationRunner } from '../../src/evaluation/runs/evaluation-runner';
import type { RiskTier } from '../../src/model-registry/model.events';
import { FEATURE_ORDER, creditDatasetRegistration } from './onnx';
import type { TestApp } from './test-app';

/**
 * The setup of the e2e suites that run evaluations for real (README, "Evaluation runs"): a model
 * version whose ONNX artifact is stored, a holdout dataset version whose data is stored, the body
 * of a run over the credit data, and waiting for the runner to finish a run. Each call is made as
 * the person whose `Authorization` header is given.
 */

const API = '/api/v1';

/** The content digest Attest records of a file: `sha256:<hex>`. */
export const sha256Digest = (bytes: string | Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A write that must succeed; the path and body in the failure message say which step was refused. */
async function accepted(
  test: TestApp,
  authorization: string,
  method: 'post' | 'put',
  path: string,
  body: object | Buffer,
  type = 'application/json',
): Promise<{ id: string }> {
  const client = test.anonymous();
  const response = await client[method](`${API}${path}`)
    .set('Authorization', authorization)
    .set('Content-Type', type)
    .send(body);
  expect({ path, ok: response.status < 300, body: response.body }).toMatchObject({ ok: true });
  return response.body as { id: string };
}

export type StoredVersion = {
  model: string;
  version: string;
  /** The ONNX artifact's bytes. */
  artifact: Buffer;
  /** The dataset version it was trained on. */
  trainedOn: { name: string; version: string };
  riskTier?: RiskTier;
  /** Whether the artifact is uploaded (default true); false leaves it registered only. */
  store?: boolean;
};

/**
 * model@version trained on `trainedOn` with `artifact` as its registered ONNX artifact, the
 * training run posted by the data scientist and completed by the pipeline, the artifact uploaded
 * by the data scientist unless told. Returns the artifact's digest.
 */
export async function registerStoredVersion(
  test: TestApp,
  as: { scientist: string; pipeline: string },
  options: StoredVersion,
): Promise<string> {
  const { model, version, artifact } = options;
  const digest = sha256Digest(artifact);
  const run = await accepted(test, as.scientist, 'post', '/training-runs', {
    model,
    datasetVersions: [options.trainedOn],
    code: { repository: `https://git.bank.example/ml/${model}`, commit: '3f9c2e1' },
    algorithm: 'logistic-regression',
    hyperparameters: {},
  });
  await accepted(test, as.pipeline, 'post', `/training-runs/${run.id}/completion`, {
    metrics: { auc: 0.8 },
    validationApproach: 'holdout',
    artifact: { uri: `s3://models/${model}/${version}.onnx`, digest, format: 'onnx' },
  });
  await accepted(test, as.scientist, 'post', `/models/${model}/versions`, {
    version,
    runId: run.id,
    riskTier: options.riskTier ?? 'low',
    decisionClass: 'substantially-assists',
    personalInformationKinds: ['financial'],
    decisions: 'approve or refer a consumer credit application',
    intendedUse: 'consumer credit applications',
    limitations: [],
    owner: 'head-of-credit-risk',
  });
  if (options.store ?? true) {
    await accepted(
      test,
      as.scientist,
      'put',
      `/models/${model}/versions/${version}/artifact`,
      artifact,
      'application/octet-stream',
    );
  }
  return digest;
}

/**
 * Registers name@version of the credit dataset (`rows` rows, with any other registration fields
 * given) and uploads `csv` as its data. Returns its content hash.
 */
export async function registerStoredDataset(
  test: TestApp,
  authorization: string,
  dataset: { name: string; version: string; csv: string; rows: number },
  registration: Record<string, unknown> = {},
): Promise<string> {
  const contentHash = sha256Digest(dataset.csv);
  await accepted(test, authorization, 'post', `/datasets/${dataset.name}/versions`, {
    ...creditDatasetRegistration(dataset.version, contentHash, dataset.rows),
    ...registration,
  });
  await accepted(
    test,
    authorization,
    'put',
    `/datasets/${dataset.name}/versions/${dataset.version}/data`,
    Buffer.from(dataset.csv),
    'text/csv',
  );
  return contentHash;
}

/** The body of a run over the credit dataset version, with no champion; `changes` override it. */
export const creditRunBody = (
  dataset: { name: string; version: string },
  changes: Record<string, unknown> = {},
) => ({
  dataset,
  labelColumn: 'default',
  positiveLabel: '1',
  protectedAttributes: ['age_band', 'sex'],
  pipelineScoreColumn: 'pipeline_score',
  columns: { features: [...FEATURE_ORDER] },
  champion: null,
  ...changes,
});

/**
 * The run once it has finished (succeeded or failed) and the runner's work on it is done, its
 * passed hooks included: waits for the runner's work before each read.
 */
export async function finishedRun<View extends { status: string }>(
  test: TestApp,
  authorization: string,
  id: string,
): Promise<View> {
  const runner = test.app.get(EvaluationRunner);
  for (let attempt = 0; attempt < 100; attempt++) {
    await Promise.all(runner.running);
    const response = await test
      .anonymous()
      .get(`${API}/evaluation-runs/${id}`)
      .set('Authorization', authorization)
      .expect(200);
    const run = response.body as View;
    if (run.status === 'succeeded' || run.status === 'failed') return run;
  }
  throw new Error(`run ${id} did not finish`);
}

/** Starts a run of model@version (it must be accepted, 202) and returns it once finished. */
export async function runEvaluation<View extends { status: string }>(
  test: TestApp,
  as: { requester: string; reader: string },
  model: { name: string; version: string },
  body: object,
): Promise<View> {
  const started = await test
    .anonymous()
    .post(`${API}/models/${model.name}/versions/${model.version}/evaluation-runs`)
    .set('Authorization', as.requester)
    .send(body);
  expect({ status: started.status, body: started.body }).toMatchObject({ status: 202 });
  return finishedRun<View>(test, as.reader, (started.body as { id: string }).id);
}
