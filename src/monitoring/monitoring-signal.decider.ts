import { type Decider, unhandled } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type { DeploymentRecord } from './deployment-record';
import type {
  DriftDetected,
  MonitoringSignalEvent,
  PerformanceDegraded,
  SignalWindow,
} from './monitoring.events';

type Measured = 'breached' | 'detectedBy' | 'detectedAt';

export type RecordDrift = {
  type: 'RecordDrift';
  data: Omit<DriftDetected['data'], Measured>;
  /** The deployment's stream, folded by the handler. */
  deployment: DeploymentRecord;
  actor: string;
  now: string;
};

export type RecordPerformance = {
  type: 'RecordPerformance';
  data: Omit<PerformanceDegraded['data'], Measured>;
  deployment: DeploymentRecord;
  actor: string;
  now: string;
};

export type MonitoringSignalCommand = RecordDrift | RecordPerformance;

/** A signal as its stream remembers it: enough to answer a repeat and to raise its alert. */
export type RecordedSignal = {
  signalId: string;
  /** The measured figures; the same measurement sent again must carry the same ones. */
  figures: string;
  breached: boolean;
};

/** Recorded signals, newest first: an immutable list, so folding a long stream stays linear. */
type SignalList = { key: string; signal: RecordedSignal; earlier: SignalList } | null;

/**
 * One deployment's `monitoring-<deploymentId>` stream folded: each signal keyed by what it
 * measured (kind, version, feature, metric, window), so a monitor that sends a measurement twice
 * records it once.
 */
export type MonitoringSignalState = { newest: SignalList };

/** The recorded signal with this key, searching from the newest (where retries are). */
export function findSignal(state: MonitoringSignalState, key: string): RecordedSignal | undefined {
  for (let entry = state.newest; entry !== null; entry = entry.earlier) {
    if (entry.key === key) return entry.signal;
  }
  return undefined;
}

/** What identifies a measurement: the same key twice is the same measurement. */
export function signalKey(
  signal: RecordDrift['data'] | RecordPerformance['data'] | MonitoringSignalEvent['data'],
): string {
  const feature = 'feature' in signal ? signal.feature : '';
  const kind = 'feature' in signal ? 'drift' : 'performance';
  return [kind, signal.version, feature, signal.metric, signal.window.from, signal.window.to].join(
    '|',
  );
}

function figuresOf(
  signal: RecordDrift['data'] | RecordPerformance['data'] | MonitoringSignalEvent['data'],
): string {
  const direction = 'higherIsBetter' in signal ? signal.higherIsBetter : null;
  return JSON.stringify([signal.value, signal.threshold, direction]);
}

export const monitoringSignalDecider: Decider<
  MonitoringSignalCommand,
  MonitoringSignalEvent,
  MonitoringSignalState
> = {
  initialState: () => ({ newest: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'DriftDetected':
      case 'PerformanceDegraded': {
        const { data } = event;
        const signal = {
          signalId: data.signalId,
          figures: figuresOf(data),
          breached: data.breached,
        };
        return { newest: { key: signalKey(data), signal, earlier: state.newest } };
      }
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    const { data } = command;
    checkDeployment(command);
    checkMeasurement(data);
    const repeat = findSignal(state, signalKey(data));
    if (repeat) {
      if (repeat.figures === figuresOf(data)) return [];
      throw new StateConflict(
        'signal-already-recorded',
        `${data.metric} of ${data.deploymentId}@${data.version} over ${data.window.from}/${data.window.to} is already recorded with other figures`,
        { signalId: repeat.signalId, errors: { value: ['differs from the recorded measurement'] } },
      );
    }
    const detected = { detectedBy: command.actor, detectedAt: command.now };
    switch (command.type) {
      case 'RecordDrift':
        return [
          {
            type: 'DriftDetected',
            data: {
              ...command.data,
              breached: command.data.value > command.data.threshold,
              ...detected,
            },
          },
        ];
      case 'RecordPerformance': {
        const { value, threshold, higherIsBetter } = command.data;
        const breached = higherIsBetter ? value < threshold : value > threshold;
        return [{ type: 'PerformanceDegraded', data: { ...command.data, breached, ...detected } }];
      }
      default:
        return unhandled(command);
    }
  },
};

/** Signals are recorded only for a deployment the ledger holds, about a version it deployed. */
function checkDeployment({ data, deployment }: MonitoringSignalCommand): void {
  if (!deployment.recorded) throw new NotRecorded('deployment', data.deploymentId);
  if (!deployment.versions.includes(data.version)) {
    throw new RuleViolated(
      'version-not-deployed',
      `${data.model}@${data.version} was never deployed in ${data.deploymentId}`,
      {
        deployedVersions: deployment.versions,
        errors: { version: [`never deployed in ${data.deploymentId}`] },
      },
    );
  }
}

/** The measurement must be a number over a real period; every fault is named. */
function checkMeasurement(data: MonitoringSignalCommand['data']): void {
  const errors: Record<string, string[]> = {};
  const windowError = windowProblem(data.window);
  if (windowError) errors['window.to'] = [windowError];
  if (!Number.isFinite(data.value)) errors.value = ['must be a finite number'];
  if (!Number.isFinite(data.threshold)) errors.threshold = ['must be a finite number'];
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'invalid-signal',
      `the signal cannot be recorded: ${Object.keys(errors).join(', ')}`,
      { errors },
    );
  }
}

function windowProblem(window: SignalWindow): string | undefined {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'window.from and window.to must be instants';
  return from < to ? undefined : 'must be after window.from';
}
