import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { EventLog, JsonObject } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import type { ReceiptToWrite } from '../../src/serving/decision-receipt';
import type { Binning } from '../../src/serving/served-model';

export const RECEIPT_DEPLOYMENT = 'credit-risk.staging';
export const ARTIFACT = `sha256:${'ab'.repeat(32)}`;

/** The baseline every test receipt is binned against: fixed tenths, one numeric, one categorical. */
export const TEST_BINNING: Binning = {
  source: 'fixed',
  sourceId: null,
  score: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  numeric: { annual_income: [20_000, 50_000, 90_000] },
  categorical: { employment: ['salaried', 'self-employed'] },
};

/**
 * A receipt as the serving path writes one (README, "Decision receipts"), for row `n`: the score
 * and bins vary with n, the inputs are a made-up digest.
 */
export function testReceipt(
  n: number,
  overrides: { version?: string; deploymentId?: string; scoredAt?: string; score?: number } = {},
): ReceiptToWrite {
  const score = overrides.score ?? ((n * 37) % 100) / 100;
  const deploymentId = overrides.deploymentId ?? RECEIPT_DEPLOYMENT;
  const [model, environment] = deploymentId.split('.');
  return {
    receipt: {
      receiptId: uuidv7(),
      deploymentId,
      model,
      environment,
      version: overrides.version ?? '1.0.0',
      arm: 'stable',
      artifactDigest: ARTIFACT,
      onnxruntimeVersion: '1.23.2',
      inputDigest: `hmac-sha256:${n.toString(16).padStart(64, '0')}`,
      outputs: { score },
      threshold: 0.5,
      decision: score >= 0.5 ? 'positive' : 'negative',
      label: score >= 0.5 ? 'decline' : 'approve',
      requestId: uuidv4(),
      subjectRef: null,
      scoredAt: overrides.scoredAt ?? new Date(Date.UTC(2026, 0, 5, 9, 0, 0, n)).toISOString(),
    },
    summary: {
      latencyMs: 1 + (n % 10) / 10,
      scoreBin: Math.min(9, Math.floor(score * 10)),
      featureBins: { annual_income: n % 4, employment: n % 5 === 0 ? null : n % 3 },
      binning: TEST_BINNING,
    },
  };
}

/** A deployment serving `version`, written straight into the ledger. */
export async function seedDeployment(
  log: EventLog,
  version = '1.0.0',
  deploymentId = RECEIPT_DEPLOYMENT,
): Promise<void> {
  const [model, environment] = deploymentId.split('.');
  const id = uuidv7();
  await log.append(
    streams.deployment(deploymentId),
    [
      {
        id,
        type: 'ModelDeployed',
        data: {
          deploymentId,
          model,
          version,
          environment,
          strategy: 'full',
          canaryPercent: null,
          previousVersion: null,
          approvalId: null,
          deployedBy: 'seed',
          deployedAt: '2026-01-01T00:00:00.000Z',
        } as JsonObject,
        metadata: {
          schemaVersion: 1,
          occurredAt: '2026-01-01T00:00:00.000Z',
          actor: { sub: 'seed', roles: ['admin'] },
          correlationId: id,
          causationId: id,
        },
      },
    ],
    { expectedRevision: 'any' },
  );
}
