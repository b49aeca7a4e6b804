import { createHash } from 'node:crypto';
import type { Role } from '../../src/auth/roles';
import { mkdir, writeFile } from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { EvaluationRunner } from '../../src/evaluation/runs/evaluation-runner';
import type { DecisionReceipt } from '../../src/serving/decision-receipt';
import { ReceiptWriter } from '../../src/receipts/receipt-writer';
import { BatchScoringJobStore } from '../../src/serving/batch/batch-scoring-job.store';
import {
  BatchScoringRunner,
  RESULT_HEADER,
  jobFiles,
} from '../../src/serving/batch/batch-scoring-runner';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditDatasetRegistration,
  logisticRegressionModel,
} from './onnx';
import { testReceipt } from './receipts';
import type { TestApp } from './test-app';

/** The sample model versions' ONNX file (stored with PUT …/artifact) and its registered digest. */
export const SAMPLE_ARTIFACT = Buffer.from(logisticRegressionModel());
export const SAMPLE_ARTIFACT_DIGEST = `sha256:${createHash('sha256').update(SAMPLE_ARTIFACT).digest('hex')}`;

/**
 * A little of everything, through the API: what every read route needs to answer 200. Each call
 * with another `tag` adds one more of each (dataset `loans<tag>`, model `scorer<tag>`, deployment
 * `scorer<tag>.staging` with two prediction batches, a decision receipt and a batch scoring job
 * that succeeded with it, an alert, a deletion
 * request, a holdout `holdout<tag>` with its data stored and an evaluation run of the version on
 * it).
 */
export async function seedSampleHistory(test: TestApp, tag = '') {
  const dataset = `loans${tag}`;
  const model = `scorer${tag}`;
  const deployment = `${model}.staging`;
  const as = async (sub: string, roles: Role[]) => `Bearer ${await test.token(sub, roles)}`;
  const [ci, dana, rick, carol] = await Promise.all([
    as('ci', ['pipeline']),
    as('dana', ['data-scientist']),
    as('rick', ['risk-manager']),
    as('carol', ['compliance-officer']),
  ]);
  let position = '';
  const post = async (token: string, path: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', token)
      .send(body);
    if (response.status !== 201) {
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    position = response.body.ledgerPosition;
    return response.body as { id: string; eventIds: string[] };
  };
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const registered = await post(ci, `/datasets/${dataset}/versions`, {
    version: 'v1',
    contentHash: digest('a'),
    rows: 10,
    schema: [
      { name: 'income', type: 'number', personal: true, sensitive: false, category: 'financial' },
    ],
    location: 's3://x',
    region: 'AU',
    lawfulBasis: 'consent',
    collectionNotice: 'notice',
    retention: 'P7Y',
  });
  const run = await post(ci, '/training-runs', {
    model,
    datasetVersions: [{ name: dataset, version: 'v1' }],
    code: { repository: 'git@x:y.git', commit: 'abcdef1' },
    algorithm: 'glm',
    hyperparameters: {},
  });
  await post(ci, `/training-runs/${run.id}/completion`, {
    metrics: { auc: 0.8 },
    validationApproach: 'holdout',
    artifact: { uri: 's3://m', digest: SAMPLE_ARTIFACT_DIGEST, format: 'onnx' },
  });
  await post(dana, `/models/${model}/versions`, {
    version: '1.0.0',
    runId: run.id,
    riskTier: 'low',
    decisionClass: 'solely-automated',
    personalInformationKinds: ['financial'],
    decisions: 'approve small limits',
    intendedUse: 'test',
    limitations: [],
    owner: 'owner',
  });
  const stored = await test
    .anonymous()
    .put(`/api/v1/models/${model}/versions/1.0.0/artifact`)
    .set('Authorization', dana)
    .set('Content-Type', 'application/octet-stream')
    .send(SAMPLE_ARTIFACT);
  if (stored.status !== 200) {
    throw new Error(`PUT artifact: ${stored.status} ${JSON.stringify(stored.body)}`);
  }
  const evaluationRunId = await failedEvaluationRun(test, ci, model, `holdout${tag}`);
  const approval = await post(dana, `/models/${model}/versions/1.0.0/approval-requests`, {
    environment: 'staging',
  });
  await post(rick, '/deployments', {
    model,
    version: '1.0.0',
    environment: 'staging',
    strategy: 'full',
  });
  const batch = await post(ci, `/deployments/${deployment}/prediction-batches`, {
    version: '1.0.0',
    count: 10,
    window: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T01:00:00.000Z' },
    inputDigest: digest('c'),
    outputDistribution: { approve: 10 },
    featureSummaries: [],
    latencyMs: { p50: 1, p95: 2, p99: 3 },
    decisions: { automated: 10, referred: 0 },
  });
  await post(ci, `/deployments/${deployment}/ground-truth`, {
    version: '1.0.0',
    batchIds: [batch.id],
    window: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T01:00:00.000Z' },
    count: 10,
    labelsDigest: digest('d'),
    metrics: { auc: 0.8 },
  });
  // A second hour, so each of the deployment's lists holds more than one item.
  const later = await post(ci, `/deployments/${deployment}/prediction-batches`, {
    version: '1.0.0',
    count: 5,
    window: { from: '2026-11-01T01:00:00.000Z', to: '2026-11-01T02:00:00.000Z' },
    inputDigest: digest('e'),
    outputDistribution: { approve: 5 },
    featureSummaries: [],
    latencyMs: { p50: 1, p95: 2, p99: 3 },
    decisions: { automated: 5, referred: 0 },
  });
  await post(ci, `/deployments/${deployment}/ground-truth`, {
    version: '1.0.0',
    batchIds: [later.id],
    window: { from: '2026-11-01T01:00:00.000Z', to: '2026-11-01T02:00:00.000Z' },
    count: 5,
    labelsDigest: digest('f'),
    metrics: { auc: 0.7 },
  });
  const alert = await post(rick, '/alerts', {
    deploymentId: deployment,
    severity: 'low',
    kind: 'operational',
    summary: 'latency spike',
  });
  const deletion = await post(carol, '/privacy/deletion-requests', {
    subjectId: `customer-9${tag}`,
    receivedOn: '2026-11-01',
  });
  // A decision receipt of the deployment, not sealed yet (README, "Decision receipts").
  const receipt = testReceipt(0, { deploymentId: deployment });
  await test.app.get(ReceiptWriter).write([receipt]);
  const batchScoringJobId = await succeededBatchJob(test, receipt.receipt);
  // A signed checkpoint of all of it, so the integrity endpoints have something to prove against,
  // and an audit pack handed out, whose evidence can be downloaded again.
  await post(carol, '/ledger/checkpoints', {});
  const pack = await test
    .anonymous()
    .get(`/api/v1/models/${model}/versions/1.0.0/audit-pack`)
    .set('Authorization', carol)
    .set('X-Ledger-Position', position);
  if (pack.status !== 200) throw new Error(`audit pack: ${pack.status}`);
  // Handing the pack out recorded AuditPackIssued: the history ends there.
  position = (await test.eventLog.headPosition()) ?? position;
  return {
    packId: String(pack.headers['attest-pack-id']),
    datasetEventId: registered.eventIds[0],
    runId: run.id,
    approvalId: approval.id,
    alertId: alert.id,
    deletionRequestId: deletion.id,
    evaluationRunId,
    receiptId: receipt.receipt.receiptId,
    batchScoringJobId,
    position,
  };
}

/**
 * A batch scoring job that succeeded (README, "Batch scoring"), written as the runner leaves one:
 * its row in the job table and its result file, whose one line is the sample receipt. Written
 * straight into the service's own bookkeeping, as the receipt is: scoring a CSV through the API
 * needs the version's input columns named by a passing evaluation by Attest, which the sample
 * history does not have (its evaluation run fails on purpose).
 */
async function succeededBatchJob(test: TestApp, receipt: DecisionReceipt): Promise<string> {
  const store = test.app.get(BatchScoringJobStore);
  const runner = test.app.get(BatchScoringRunner);
  const id = uuidv7();
  const files = jobFiles(runner.dir, id);
  await mkdir(runner.dir, { recursive: true });
  const line = [2, receipt.outputs.score, receipt.decision, receipt.label, receipt.receiptId];
  await writeFile(files.result, `${RESULT_HEADER}${line.join(',')}\n`);
  const at = new Date(receipt.scoredAt);
  await store.create({
    id,
    deploymentId: receipt.deploymentId,
    model: receipt.model,
    environment: receipt.environment,
    version: receipt.version,
    arm: receipt.arm,
    artifactDigest: receipt.artifactDigest,
    requestId: receipt.requestId,
    subjectColumn: null,
    // Made up, as the receipt's input digest is: no upload was streamed.
    uploadDigest: `hmac-sha256:${'0'.repeat(64)}`,
    rowsTotal: 1,
    resultPath: files.result,
    requestedBy: 'ci',
    createdAt: at,
  });
  await store.started(id, at);
  const positives = receipt.decision === 'positive' ? 1 : 0;
  await store.succeeded(id, { rowsScored: 1, positives }, at);
  return id;
}

/**
 * Stores a small holdout and has Attest evaluate `<model>@1.0.0` on it, asking for a positive
 * label the file does not hold: the run fails (README, "Evaluation runs") and records no
 * evaluation, so the rest of the history is as it was. Waits until the run has finished.
 */
async function failedEvaluationRun(
  test: TestApp,
  token: string,
  model: string,
  holdout: string,
): Promise<string> {
  const rows = 40;
  const csv = creditDatasetCsv({ seed: 7, rows });
  const hash = `sha256:${createHash('sha256').update(csv).digest('hex')}`;
  const registered = await test
    .anonymous()
    .post(`/api/v1/datasets/${holdout}/versions`)
    .set('Authorization', token)
    .send(creditDatasetRegistration('v1', hash, rows));
  if (registered.status !== 201) {
    throw new Error(`POST holdout: ${registered.status} ${JSON.stringify(registered.body)}`);
  }
  const data = await test
    .anonymous()
    .put(`/api/v1/datasets/${holdout}/versions/v1/data`)
    .set('Authorization', token)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from(csv));
  if (data.status !== 200) throw new Error(`PUT holdout data: ${data.status}`);
  const started = await test
    .anonymous()
    .post(`/api/v1/models/${model}/versions/1.0.0/evaluation-runs`)
    .set('Authorization', token)
    .send({
      dataset: { name: holdout, version: 'v1' },
      labelColumn: 'default',
      positiveLabel: '2',
      columns: { features: [...FEATURE_ORDER] },
      pipelineScoreColumn: 'pipeline_score',
      champion: null,
    });
  if (started.status !== 202) {
    throw new Error(`POST evaluation run: ${started.status} ${JSON.stringify(started.body)}`);
  }
  const runId = (started.body as { id: string }).id;
  const runner = test.app.get(EvaluationRunner);
  for (let attempt = 0; attempt < 100; attempt++) {
    const run = await test
      .anonymous()
      .get(`/api/v1/evaluation-runs/${runId}`)
      .set('Authorization', token);
    if (run.body.status === 'failed' || run.body.status === 'succeeded') return runId;
    await Promise.all(runner.running);
  }
  throw new Error(`evaluation run ${runId} did not finish`);
}

/** A concrete URL (under /api/v1) for each read route with path parameters, over that history. */
export function sampleReadPaths(
  ids: Awaited<ReturnType<typeof seedSampleHistory>>,
  tag = '',
): Record<string, string> {
  return {
    '/datasets/:name': `/datasets/loans${tag}`,
    '/datasets/:name/versions/:version': `/datasets/loans${tag}/versions/v1`,
    '/training-runs/:id': `/training-runs/${ids.runId}`,
    '/models/:name': `/models/scorer${tag}`,
    '/models/:name/versions/:version': `/models/scorer${tag}/versions/1.0.0`,
    '/models/:name/retraining-triggers': `/models/scorer${tag}/retraining-triggers`,
    '/models/:name/versions/:version/artifact': `/models/scorer${tag}/versions/1.0.0/artifact`,
    '/models/:name/versions/:version/evaluation-runs': `/models/scorer${tag}/versions/1.0.0/evaluation-runs`,
    '/evaluation-runs/:id': `/evaluation-runs/${ids.evaluationRunId}`,
    '/models/:name/versions/:version/audit-pack': `/models/scorer${tag}/versions/1.0.0/audit-pack`,
    '/models/:name/versions/:version/audit-packs/:packId/evidence': `/models/scorer${tag}/versions/1.0.0/audit-packs/${ids.packId}/evidence`,
    '/approvals/:id': `/approvals/${ids.approvalId}`,
    '/deployments/:id': `/deployments/scorer${tag}.staging`,
    '/deployments/:id/prediction-batches': `/deployments/scorer${tag}.staging/prediction-batches`,
    '/deployments/:id/ground-truth': `/deployments/scorer${tag}.staging/ground-truth`,
    '/privacy/deletion-requests/:id': `/privacy/deletion-requests/${ids.deletionRequestId}`,
    '/lineage/:kind/:id': `/lineage/model-version/scorer${tag}@1.0.0`,
    '/monitoring/deployments/:id': `/monitoring/deployments/scorer${tag}.staging`,
    '/alerts/:id': `/alerts/${ids.alertId}`,
    '/ledger/streams/:stream': `/ledger/streams/dataset-loans${tag}`,
    '/ledger/proofs/inclusion/:eventId': `/ledger/proofs/inclusion/${ids.datasetEventId}`,
    '/ledger/proofs/consistency': '/ledger/proofs/consistency?from=1',
    '/compliance/reports/:report': '/compliance/reports/asic-model-governance',
    '/receipts/:receiptId': `/receipts/${ids.receiptId}`,
    '/batch-scoring/:id': `/batch-scoring/${ids.batchScoringJobId}`,
    '/batch-scoring/:id/result': `/batch-scoring/${ids.batchScoringJobId}/result`,
  };
}
