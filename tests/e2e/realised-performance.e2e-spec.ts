/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { derivedUuid } from '../../src/ledger/commands/command-context';
import { streams } from '../../src/ledger/stream-names';
import { DriftMonitor } from '../../src/monitoring/drift/drift-monitor';
import { PerformanceMonitor } from '../../src/monitoring/performance/performance-monitor';
import { ReceiptSealer } from '../../src/receipts/receipt-sealer';
import { routingBucket } from '../../src/serving/canary';
import {
  creditRunBody,
  registerStoredDataset,
  registerStoredVersion,
  runEvaluation,
} from '../support/evaluation-setup';
import { driftSettled, streamEvents } from '../support/monitoring-setup';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditRows,
  labelledLogisticRegressionModel,
  logisticRegressionModel,
} from '../support/onnx';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';
const MODEL = 'credit-risk';
const DATASET = 'credit-holdout';
const DEPLOYMENT = `${MODEL}.staging`;

type Prediction = { receiptId: string; score: number; label: string };

/**
 * Realised performance and automatic rollback through the running service (README, "Monitoring
 * by Attest"): 1.0.0 serves, 2.0.0 runs as a 50% canary; predictions are served with receipts and
 * sealed; the canary's outcomes contradict its scores, so its realised AUC falls far below its
 * evaluation's: PerformanceDegraded breaches, the policy rolls the canary back, and a request
 * that was routed to the canary is served by 1.0.0 next.
 */
describe('realised performance and automatic rollback', () => {
  let test: TestApp;
  const people: Record<string, string> = {};
  const rows = [...creditRows({ seed: 17, rows: 1200, disparityShift: 0 })];
  const featuresOf = (row: (typeof rows)[number]) =>
    Object.fromEntries(FEATURE_ORDER.map((name) => [name, row[name]]));
  const requestOn = (arm: 'canary' | 'stable', i: number) => {
    for (let n = i * 1000; ; n++) {
      const id = `loan-${arm}-${n}`;
      if (routingBucket(id) < 50 === (arm === 'canary')) return id;
    }
  };

  const send = async (
    method: 'post' | 'put',
    as: string,
    path: string,
    body: object,
    status: number,
  ) => {
    const client = test.anonymous();
    const call = method === 'put' ? client.put(`${API}${path}`) : client.post(`${API}${path}`);
    const response = await call.set('Authorization', people[as]).send(body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status });
    return response.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    test = await startTestApp({
      env: { SERVING_WORKERS: '1', SEAL_EVERY_RECEIPTS: '0', SEAL_INTERVAL_MS: '0' },
    });
    const cast: Record<string, Parameters<TestApp['token']>[1]> = {
      pipe: ['pipeline'],
      tess: ['data-scientist'],
      rick: ['risk-manager'],
      ann: ['admin'],
      app: ['scoring'],
    };
    for (const [sub, roles] of Object.entries(cast))
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    await registerStoredDataset(test, people.pipe, {
      name: DATASET,
      version: '2026-03',
      csv: creditDatasetCsv(PASSING_SAMPLE),
      rows: PASSING_SAMPLE.rows,
    });
    for (const [version, artifact] of [
      ['1.0.0', logisticRegressionModel()],
      ['2.0.0', labelledLogisticRegressionModel()],
    ] as const) {
      await registerStoredVersion(
        test,
        { scientist: people.tess, pipeline: people.pipe },
        {
          model: MODEL,
          version,
          artifact: Buffer.from(artifact),
          trainedOn: { name: DATASET, version: '2026-03' },
        },
      );
      const run = await runEvaluation<{ status: string }>(
        test,
        { requester: people.tess, reader: people.tess },
        { name: MODEL, version },
        creditRunBody(
          { name: DATASET, version: '2026-03' },
          { environment: 'staging', threshold: 0.5 },
        ),
      );
      expect({ version, status: run.status }).toEqual({ version, status: 'succeeded' });
    }
    await send(
      'post',
      'rick',
      '/deployments',
      { model: MODEL, version: '1.0.0', environment: 'staging', strategy: 'full' },
      201,
    );
    await send(
      'post',
      'rick',
      '/deployments',
      {
        model: MODEL,
        version: '2.0.0',
        environment: 'staging',
        strategy: 'canary',
        canaryPercent: 50,
      },
      201,
    );
    await send(
      'put',
      'ann',
      '/policies/monitoring',
      { models: { [MODEL]: { onBreach: { rollback: true }, performance: { minOutcomes: 200 } } } },
      200,
    );
  });
  afterAll(() => test?.close());

  it('judges each version’s realised AUC and accuracy, and rolls the failing canary back once', async () => {
    const served: Record<'canary' | 'stable', { prediction: Prediction; truth: 0 | 1 }[]> = {
      canary: [],
      stable: [],
    };
    // 60 requests of 20 rows, half routed to each arm.
    for (let i = 0; i < 60; i++) {
      const arm = i % 2 === 0 ? 'canary' : 'stable';
      const slice = rows.slice(i * 20, i * 20 + 20);
      const { body, status } = await test
        .anonymous()
        .post(`${API}/deployments/${DEPLOYMENT}/predict`)
        .set('Authorization', people.app)
        .send({ requestId: requestOn(arm, i), rows: slice.map(featuresOf) });
      expect(status).toBe(200);
      expect(body).toMatchObject({ arm, version: arm === 'canary' ? '2.0.0' : '1.0.0' });
      (body.predictions as Prediction[]).forEach((prediction, j) =>
        served[arm].push({ prediction, truth: slice[j].default }),
      );
    }
    const sealed = await test.app.get(ReceiptSealer).seal({ all: true });
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    // The sealed batches carry bins: drift checks run on them, and find the population unchanged.
    const head = (await test.eventLog.headPosition()) as string;
    await driftSettled(test, head);
    expect(
      (await streamEvents(test.eventLog, streams.monitoringSignals(DEPLOYMENT))).filter(
        (event) => event.type === 'DriftDetected' && event.data.breached,
      ),
    ).toEqual([]);
    for (const { batchId } of sealed) {
      const { figures, skipped } = await test.app.get(DriftMonitor).check(batchId);
      expect({ batchId, skipped }).toEqual({ batchId, skipped: undefined });
      expect(figures.map((f) => f.feature).sort()).toEqual(['(score)', ...FEATURE_ORDER].sort());
      for (const figure of figures) {
        expect(figure.value).not.toBeNull();
        expect(figure.value as number).toBeLessThan(0.25);
      }
    }

    // The stable version's outcomes are what happened; the canary's say the opposite.
    await send(
      'post',
      'pipe',
      `/deployments/${DEPLOYMENT}/outcomes`,
      {
        outcomes: [
          ...served.stable.map(({ prediction, truth }) => ({
            receiptId: prediction.receiptId,
            label: String(truth),
          })),
          ...served.canary.map(({ prediction, truth }) => ({
            receiptId: prediction.receiptId,
            label: String(1 - truth),
          })),
        ],
      },
      200,
    );
    // Storing the outcomes starts the check; the sweep would find them a minute later anyway.
    const judged = await test.app.get(PerformanceMonitor).judgedAfterOutcomes(DEPLOYMENT);
    const byVersion = Object.fromEntries(judged.map((j) => [j.version, j]));
    expect(byVersion['1.0.0']).toMatchObject({ outcomes: 600, breaches: [] });
    expect(byVersion['1.0.0'].metrics.auc as number).toBeGreaterThan(
      byVersion['1.0.0'].baseline.auc - 0.05,
    );
    expect(byVersion['2.0.0'].outcomes).toBe(600);
    expect(byVersion['2.0.0'].metrics.auc as number).toBeLessThan(0.5);
    expect(byVersion['2.0.0'].breaches.map((b) => b.metric).sort()).toEqual(['accuracy', 'auc']);

    // Each window's ground truth: counts, metrics and a digest of the labels, citing the batches.
    for (const { version, window, outcomes, metrics } of judged) {
      const id = derivedUuid('ground-truth', DEPLOYMENT, version, window.from, window.to);
      const [groundTruth] = await streamEvents(test.eventLog, streams.groundTruth(id));
      expect(groundTruth.data).toMatchObject({
        version,
        count: outcomes,
        metrics: { accuracy: expect.closeTo(metrics.accuracy, 5) },
        recordedBy: 'attest',
      });
      expect((groundTruth.data.batchIds as string[]).length).toBeGreaterThan(0);
    }

    const signals = await streamEvents(test.eventLog, streams.monitoringSignals(DEPLOYMENT));
    const performance = signals.filter((event) => event.type === 'PerformanceDegraded');
    expect(performance).toHaveLength(4);
    for (const event of performance) {
      expect(event.data).toMatchObject({ detectedBy: 'attest', higherIsBetter: true });
      expect(event.data.breached).toBe(event.data.version === '2.0.0');
    }
    const deployment = await streamEvents(test.eventLog, streams.deployment(DEPLOYMENT));
    const rolledBack = deployment.filter((event) => event.type === 'DeploymentRolledBack');
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0].data).toMatchObject({
      fromVersion: '2.0.0',
      toVersion: '1.0.0',
      automatic: true,
    });
    expect(byVersion['2.0.0'].breaches.map((b) => b.alertId)).toContain(
      rolledBack[0].data.causeAlertId,
    );

    // The next request that went to the canary is served by the previous version.
    const { body: next } = await test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/predict`)
      .set('Authorization', people.app)
      .send({ requestId: requestOn('canary', 0), rows: [featuresOf(rows[0])] })
      .expect(200);
    expect(next).toMatchObject({ version: '1.0.0', arm: 'stable' });

    // Judged once: checking again records nothing.
    const before = await test.countEvents();
    expect(await test.app.get(PerformanceMonitor).check(DEPLOYMENT)).toEqual([]);
    expect(await test.countEvents()).toBe(before);
    await test.app.get(DriftMonitor).drain();
  });
});
