/**
 * Stream names are `<aggregate>-<id>` (docs/design.md §3). Capabilities build them only through
 * `streamName`; requests that name a stream are checked against the same pattern.
 */
export const STREAM_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[A-Za-z0-9._:@-]+$/;
export const STREAM_NAME_HINT = 'a stream name such as dataset-loans (<aggregate>-<id>)';

export function streamName(aggregate: string, id: string): string {
  const name = `${aggregate}-${id}`;
  if (!/^[a-z][a-z0-9-]*$/.test(aggregate) || !STREAM_NAME.test(name) || name.length > 200) {
    throw new RangeError(`not a valid stream name: ${name}`);
  }
  return name;
}

/** Every aggregate's stream, named in one place (docs/design.md §3). */
export const streams = {
  dataset: (name: string) => streamName('dataset', name),
  trainingRun: (runId: string) => streamName('training-run', runId),
  model: (name: string) => streamName('model', name),
  approval: (approvalId: string) => streamName('approval', approvalId),
  approvalPolicy: () => streamName('policy', 'approval'),
  evaluationPolicy: () => streamName('policy', 'evaluation'),
  monitoringPolicy: () => streamName('policy', 'monitoring'),
  /** Retraining triggers of one model. */
  retraining: (model: string) => streamName('retraining', model),
  /** `deploymentId` is `<model>.<environment>`. */
  deployment: (deploymentId: string) => streamName('deployment', deploymentId),
  predictionBatch: (batchId: string) => streamName('prediction-batch', batchId),
  groundTruth: (groundTruthId: string) => streamName('ground-truth', groundTruthId),
  deletionRequest: (requestId: string) => streamName('deletion-request', requestId),
  /** Drift and performance signals of one deployment (`<model>.<environment>`). */
  monitoringSignals: (deploymentId: string) => streamName('monitoring', deploymentId),
  alert: (alertId: string) => streamName('alert', alertId),
  /** One person's access records (regulator requests, personal data shown to them). */
  accessLog: (actorKey: string) => streamName('access-log', actorKey),
  /** The integrity log's signed checkpoints, and the public keys that signed them. */
  ledgerCheckpoints: () => streamName('ledger', 'checkpoints'),
  ledgerSigningKeys: () => streamName('ledger', 'signing-keys'),
  /** The audit packs handed out for one model's versions. */
  auditPacks: (model: string) => streamName('audit-pack', model),
} as const;
