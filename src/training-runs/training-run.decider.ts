import type { DatasetVersionFact, DatasetVersionRef } from '../datasets/dataset.events';
import { canonicalJson } from '../ledger/canonical-json';
import { type Decider, unhandled } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type {
  TrainingRunCompleted,
  TrainingRunEvent,
  TrainingRunFailed,
  TrainingRunStarted,
} from './training-run.events';

/** A dataset version as the handler found it in its own stream: null when never registered. */
export type DatasetVersionLookup = DatasetVersionRef & {
  recorded: { contentHash: string; retired: boolean } | null;
};

export type StartTrainingRun = {
  type: 'StartTrainingRun';
  data: Omit<TrainingRunStarted['data'], 'datasetVersions' | 'startedBy' | 'startedAt'>;
  datasetVersions: DatasetVersionLookup[];
  actor: string;
  now: string;
};

export type CompleteTrainingRun = {
  type: 'CompleteTrainingRun';
  data: Omit<TrainingRunCompleted['data'], 'completedBy' | 'completedAt'>;
  actor: string;
  now: string;
};

export type FailTrainingRun = {
  type: 'FailTrainingRun';
  data: Omit<TrainingRunFailed['data'], 'failedBy' | 'failedAt'>;
  actor: string;
  now: string;
};

export type TrainingRunCommand = StartTrainingRun | CompleteTrainingRun | FailTrainingRun;

/** One run's lifecycle: the `training-run-<id>` stream folded. */
export type TrainingRunState =
  | { status: 'unknown' }
  | { status: 'running'; started: TrainingRunStarted['data'] }
  | {
      status: 'completed';
      started: TrainingRunStarted['data'];
      completed: TrainingRunCompleted['data'];
    }
  | { status: 'failed'; started: TrainingRunStarted['data']; failed: TrainingRunFailed['data'] };

export const trainingRunDecider: Decider<TrainingRunCommand, TrainingRunEvent, TrainingRunState> = {
  initialState: () => ({ status: 'unknown' }),

  evolve(state, event) {
    switch (event.type) {
      case 'TrainingRunStarted':
        return { status: 'running', started: event.data };
      case 'TrainingRunCompleted':
        return state.status === 'unknown'
          ? state
          : { status: 'completed', started: state.started, completed: event.data };
      case 'TrainingRunFailed':
        return state.status === 'unknown'
          ? state
          : { status: 'failed', started: state.started, failed: event.data };
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'StartTrainingRun':
        return start(command, state);
      case 'CompleteTrainingRun': {
        const { runId, metrics, validationApproach, artifact } = command.data;
        const repeat =
          state.status === 'completed' &&
          sameFacts(
            { metrics, validationApproach, artifact },
            {
              metrics: state.completed.metrics,
              validationApproach: state.completed.validationApproach,
              artifact: state.completed.artifact,
            },
          );
        if (repeat) return [];
        mustBeRunning(state, runId);
        const data = { ...command.data, completedBy: command.actor, completedAt: command.now };
        return [{ type: 'TrainingRunCompleted', data } satisfies TrainingRunCompleted];
      }
      case 'FailTrainingRun': {
        const { runId, reason } = command.data;
        if (state.status === 'failed' && state.failed.reason === reason) return [];
        mustBeRunning(state, runId);
        const data = { runId, reason, failedBy: command.actor, failedAt: command.now };
        return [{ type: 'TrainingRunFailed', data } satisfies TrainingRunFailed];
      }
      default:
        return unhandled(command);
    }
  },
};

function start(command: StartTrainingRun, state: TrainingRunState): TrainingRunEvent[] {
  const { data } = command;
  const datasetVersions = command.datasetVersions.map((lookup) => ({
    name: lookup.name,
    version: lookup.version,
    contentHash: lookup.recorded?.contentHash ?? null,
  }));
  if (state.status !== 'unknown') {
    // The same start again (a retried request) is the same fact; anything else reuses the id.
    const { startedBy: _by, startedAt: _at, ...recorded } = state.started;
    if (sameFacts({ ...data, datasetVersions }, recorded)) return [];
    throw new StateConflict(
      'training-run-exists',
      `training run ${data.runId} was already started with other facts`,
      { runId: data.runId },
    );
  }
  return [
    {
      type: 'TrainingRunStarted',
      data: {
        ...data,
        datasetVersions: registeredDatasetVersions(command.datasetVersions),
        startedBy: command.actor,
        startedAt: command.now,
      },
    },
  ];
}

/** A run trains on registered, current dataset versions, each named once. */
function registeredDatasetVersions(lookups: DatasetVersionLookup[]): DatasetVersionFact[] {
  if (lookups.length === 0) {
    throw new RuleViolated('no-dataset-versions', 'a training run needs its dataset versions', {
      errors: { datasetVersions: ['name at least one registered dataset version'] },
    });
  }
  const refs = lookups.map(({ name, version }) => `${name}@${version}`);
  const repeated = refs.filter((ref, index) => refs.indexOf(ref) !== index);
  if (repeated.length > 0) {
    throw new RuleViolated('duplicate-dataset-version', 'each dataset version is named once', {
      errors: { datasetVersions: [...new Set(repeated)].map((ref) => `${ref} is named twice`) },
    });
  }
  const facts: DatasetVersionFact[] = [];
  const problems: string[] = [];
  for (const { name, version, recorded } of lookups) {
    if (!recorded) problems.push(`${name}@${version} is not registered`);
    else if (recorded.retired) problems.push(`${name}@${version} is retired`);
    else facts.push({ name, version, contentHash: recorded.contentHash });
  }
  if (problems.length > 0) {
    throw new RuleViolated(
      'unknown-dataset-version',
      'a training run must name registered dataset versions that are not retired',
      { errors: { datasetVersions: problems } },
    );
  }
  return facts;
}

function mustBeRunning(state: TrainingRunState, runId: string): void {
  if (state.status === 'unknown') throw new NotRecorded('training run', runId);
  if (state.status !== 'running') {
    throw new StateConflict(
      'training-run-finished',
      `training run ${runId} has already ${state.status}`,
      {
        runId,
        runStatus: state.status,
      },
    );
  }
}

function sameFacts(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
