import type { Decider } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated } from '../ledger/commands/rule-errors';
import type { DeploymentStanding } from './deployment-standing';
import { windowProblem } from './prediction-batch.decider';
import type { GroundTruthEvent, GroundTruthRecorded } from './prediction.events';

/** A cited batch as its stream was read: null deployment when the ledger has no such batch. */
export type BatchFact = {
  batchId: string;
  deploymentId: string | null;
  version: string | null;
  count: number;
};

export type RecordGroundTruth = {
  type: 'RecordGroundTruth';
  data: Omit<GroundTruthRecorded['data'], 'recordedBy' | 'recordedAt'>;
  deployment: DeploymentStanding;
  batches: BatchFact[];
  actor: string;
  now: string;
};

export type GroundTruthCommand = RecordGroundTruth;

export type GroundTruthState = { status: 'none' } | { status: 'recorded'; deploymentId: string };

/**
 * Outcomes arrive long after the predictions (a loan defaults months later), so ground truth is
 * accepted for any recorded deployment, retired or rolled back included; it must cite batches
 * this deployment recorded, from the same version.
 */
export const groundTruthDecider: Decider<GroundTruthCommand, GroundTruthEvent, GroundTruthState> = {
  initialState: () => ({ status: 'none' }),

  // One event type per stream: the ground truth is recorded once.
  evolve: (_state, event) => ({ status: 'recorded', deploymentId: event.data.deploymentId }),

  decide(command, state) {
    if (state.status === 'recorded') return [];
    const { data, deployment, batches } = command;
    if (deployment.status === 'unrecorded') {
      throw new NotRecorded('deployment', deployment.deploymentId);
    }
    checkBatches(data, batches);
    checkSummary(data, batches);
    return [
      {
        type: 'GroundTruthRecorded',
        data: { ...data, recordedBy: command.actor, recordedAt: command.now },
      },
    ];
  },
};

function checkBatches(data: RecordGroundTruth['data'], batches: BatchFact[]): void {
  const foreign = batches.filter((batch) => batch.deploymentId !== data.deploymentId);
  if (foreign.length > 0) {
    throw new RuleViolated(
      'unknown-prediction-batch',
      `not prediction batches of ${data.deploymentId}: ${foreign.map((b) => b.batchId).join(', ')}`,
      {
        errors: {
          batchIds: foreign.map((batch) => `${batch.batchId} is not a batch of this deployment`),
        },
      },
    );
  }
  const otherVersion = batches.filter((batch) => batch.version !== data.version);
  if (otherVersion.length > 0) {
    throw new RuleViolated(
      'version-mismatch',
      `batches ${otherVersion.map((b) => b.batchId).join(', ')} were scored by another version than ${data.version}`,
      { errors: { version: ['differs from the version of the cited batches'] } },
    );
  }
}

function checkSummary(data: RecordGroundTruth['data'], batches: BatchFact[]): void {
  const errors: Record<string, string[]> = {};
  const windowError = windowProblem(data.window);
  if (windowError) errors['window.to'] = [windowError];
  const predicted = batches.reduce((sum, batch) => sum + batch.count, 0);
  if (!Number.isInteger(data.count) || data.count < 1 || data.count > predicted) {
    errors.count = [`must be from 1 to the predictions in the cited batches (${predicted})`];
  }
  const metrics = Object.entries(data.metrics);
  const bad = metrics.filter(([, value]) => typeof value !== 'number' || !Number.isFinite(value));
  if (metrics.length === 0) errors.metrics = ['name at least one metric'];
  else if (bad.length > 0)
    errors.metrics = [`not a number: ${bad.map(([name]) => name).join(', ')}`];
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'inconsistent-ground-truth',
      `the ground truth does not add up: ${Object.keys(errors).join(', ')}`,
      { errors },
    );
  }
}
