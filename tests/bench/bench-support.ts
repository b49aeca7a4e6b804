import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../../src/ledger/event-log.port';

/**
 * A PredictionBatchRecorded summary of 100 predictions in a 10-minute window, as a pipeline
 * would record it, for benchmarks that append history straight to the log.
 */
export function predictionBatchEvent(batch: {
  batchId: string;
  deploymentId: string;
  model: string;
  version: string;
  environment: string;
  from: Date;
  outputs?: Record<string, number>;
}): NewEvent {
  const to = new Date(batch.from.getTime() + 600_000).toISOString();
  const id = uuidv7();
  return {
    id,
    type: 'PredictionBatchRecorded',
    data: {
      batchId: batch.batchId,
      deploymentId: batch.deploymentId,
      model: batch.model,
      version: batch.version,
      environment: batch.environment,
      count: 100,
      window: { from: batch.from.toISOString(), to },
      inputDigest: `sha256:${randomBytes(32).toString('hex')}`,
      outputDistribution: batch.outputs ?? { approve: 60, refer: 30, decline: 10 },
      featureSummaries: [{ feature: 'income', mean: 80000, stddev: 20000, missing: 0 }],
      latencyMs: { p50: 10, p95: 30, p99: 60 },
      decisions: { automated: 70, referred: 30 },
      recordedBy: 'ci',
      recordedAt: to,
    },
    metadata: {
      schemaVersion: 1,
      occurredAt: to,
      actor: { sub: 'ci', roles: ['pipeline'] },
      correlationId: batch.batchId,
      causationId: batch.batchId,
    },
  };
}
