import { isCalendarDate } from '../ledger/calendar-date';
import { type Decider, unhandled } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import { canonicalJson } from '../ledger/canonical-json';
import type { DatasetVersionRef } from '../datasets/dataset.events';
import {
  type AffectedItem,
  type StatedFulfilment,
  accountFor,
  affectedField,
  affectedItems,
  deploymentsRetrainedFor,
  refId,
  replacedBy,
  retrainedFor,
} from './deletion-accounting';
import type {
  DeletionAssessed,
  DeletionFulfilled,
  DeletionRequestEvent,
  DeletionRequested,
} from './deletion-request.events';

/** APP 12/13 practice: a request is answered within 30 calendar days of receipt. */
export const RESPONSE_DAYS = 30;

export type RequestDeletion = {
  type: 'RequestDeletion';
  /** `subjectRef` is already the keyed hash: the raw identifier never reaches a command. */
  data: Pick<DeletionRequested['data'], 'requestId' | 'subjectRef' | 'receivedOn' | 'channel'>;
  actor: string;
  now: string;
};

export type AssessDeletion = {
  type: 'AssessDeletion';
  data: Omit<DeletionAssessed['data'], 'assessedBy' | 'assessedAt'>;
  actor: string;
  now: string;
};

export type FulfilDeletion = {
  type: 'FulfilDeletion';
  /** `replaces` left out: a replacement replaces the affected versions of its own dataset, a
   * retrained version the affected versions of its own model. */
  data: { requestId: string } & StatedFulfilment;
  /**
   * For each retrained model version, by index, the dataset versions its registration records it
   * was trained on (the handler reads them from the model's stream; versions are immutable).
   */
  retrainedOn: DatasetVersionRef[][];
  actor: string;
  now: string;
};

export type DeletionRequestCommand = RequestDeletion | AssessDeletion | FulfilDeletion;

type Received = Pick<DeletionRequested['data'], 'subjectRef' | 'receivedOn' | 'channel'>;
type Assessment = Pick<DeletionAssessed['data'], 'affected' | 'notes'>;
type Fulfilment = Omit<DeletionFulfilled['data'], 'requestId' | 'fulfilledBy' | 'fulfilledAt'>;
type Affected = DeletionAssessed['data']['affected'];

/** One request's lifecycle: the `deletion-request-<id>` stream folded. */
export type DeletionRequestState =
  | { status: 'none' }
  | { status: 'open'; received: Received }
  | { status: 'assessed'; received: Received; assessment: Assessment }
  | { status: 'fulfilled'; received: Received; assessment: Assessment; fulfilment: Fulfilment };

export const deletionRequestDecider: Decider<
  DeletionRequestCommand,
  DeletionRequestEvent,
  DeletionRequestState
> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'DeletionRequested': {
        const { subjectRef, receivedOn, channel } = event.data;
        return { status: 'open', received: { subjectRef, receivedOn, channel } };
      }
      case 'DeletionAssessed': {
        if (state.status === 'none') return state;
        const { affected, notes } = event.data;
        return { status: 'assessed', received: state.received, assessment: { affected, notes } };
      }
      case 'DeletionFulfilled': {
        if (state.status !== 'assessed') return state;
        const { requestId: _id, fulfilledBy: _by, fulfilledAt: _at, ...fulfilment } = event.data;
        return { ...state, status: 'fulfilled', fulfilment };
      }
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RequestDeletion':
        return request(command, state);
      case 'AssessDeletion':
        return assess(command, state);
      case 'FulfilDeletion':
        return fulfil(command, state);
      default:
        return unhandled(command);
    }
  },
};

function request(command: RequestDeletion, state: DeletionRequestState): DeletionRequestEvent[] {
  const { requestId, subjectRef, receivedOn, channel } = command.data;
  if (state.status !== 'none') {
    // The same request again (a retry that derived the same id) is the same fact.
    const same =
      canonicalJson(state.received) === canonicalJson({ subjectRef, receivedOn, channel });
    if (same) return [];
    throw new StateConflict(
      'deletion-request-exists',
      `deletion request ${requestId} is already recorded with other details`,
    );
  }
  if (!isCalendarDate(receivedOn)) {
    throw new RuleViolated('invalid-date', `receivedOn ${receivedOn} is not a calendar date`, {
      errors: { receivedOn: ['must be a calendar date YYYY-MM-DD'] },
    });
  }
  const latestToday = latestDateAt(command.now);
  if (receivedOn > latestToday) {
    throw new RuleViolated(
      'received-in-future',
      `receivedOn ${receivedOn} is after today (${latestToday})`,
      { errors: { receivedOn: ['must not be in the future'] } },
    );
  }
  return [
    {
      type: 'DeletionRequested',
      data: {
        requestId,
        subjectRef,
        receivedOn,
        dueOn: addDays(receivedOn, RESPONSE_DAYS),
        channel,
        requestedBy: command.actor,
        requestedAt: command.now,
      },
    },
  ];
}

/**
 * An assessment may be revised while the request is assessed (a later search finds more copies
 * of the subject's data); the newest one is what fulfilment answers. A fulfilled request is closed.
 */
function assess(command: AssessDeletion, state: DeletionRequestState): DeletionRequestEvent[] {
  const { requestId, affected, notes } = command.data;
  switch (state.status) {
    case 'none':
      throw new NotRecorded('deletion request', requestId);
    case 'fulfilled':
      throw new StateConflict(
        'deletion-request-closed',
        `deletion request ${requestId} is fulfilled; it can no longer be assessed`,
      );
    case 'assessed':
      if (canonicalJson(state.assessment) === canonicalJson({ affected, notes })) return [];
      break;
    case 'open':
      break;
    default:
      return unhandled(state);
  }
  return [
    {
      type: 'DeletionAssessed',
      data: { requestId, affected, notes, assessedBy: command.actor, assessedAt: command.now },
    },
  ];
}

/**
 * A request is fulfilled only when every item its assessment names is accounted for: a dataset
 * version by a replacement, a model version by a retraining on a replacement, a deployment by a
 * retraining of its model, any of them by an exception with its reason (deletion-accounting.ts).
 */
function fulfil(command: FulfilDeletion, state: DeletionRequestState): DeletionRequestEvent[] {
  const { requestId, ...stated } = command.data;
  switch (state.status) {
    case 'none':
      throw new NotRecorded('deletion request', requestId);
    case 'open':
      throw new StateConflict(
        'deletion-request-not-assessed',
        `deletion request ${requestId} must be assessed before it is fulfilled`,
      );
    case 'fulfilled': {
      const again = recordedFulfilment(state.assessment.affected, stated);
      if (canonicalJson(state.fulfilment) === canonicalJson(again)) return [];
      throw new StateConflict(
        'deletion-request-closed',
        `deletion request ${requestId} is already fulfilled, with other details`,
      );
    }
    case 'assessed':
      break;
    default:
      return unhandled(state);
  }
  const { affected } = state.assessment;
  // A replacement must be a new version: an affected one still holds the subject's data.
  const affectedIds = new Set(affected.datasetVersions.map(refId));
  const errors: Record<string, string[]> = {};
  stated.replacementDatasetVersions.forEach((replacement, index) => {
    if (affectedIds.has(refId(replacement))) {
      errors[`replacementDatasetVersions.${index}`] = [
        `${refId(replacement)} is an affected version, not a replacement`,
      ];
    }
  });
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'replacement-is-affected',
      'replacement dataset versions must be new versions without the subject',
      { errors },
    );
  }
  checkStatements(affected, stated, command.retrainedOn);
  const fulfilment = recordedFulfilment(affected, stated);
  const { unaccounted } = accountFor(affected, stated);
  if (unaccounted.length > 0) {
    const how: Record<AffectedItem['kind'], string> = {
      'dataset-version':
        'name a replacement dataset version that replaces it, or an exception that covers it',
      model:
        'name a version retrained on a replacement that replaces it, or an exception that covers it',
      deployment:
        'name a version of its model retrained on a replacement, or an exception that covers it',
    };
    throw new RuleViolated(
      'deletion-items-unaccounted',
      `deletion request ${requestId} cannot be fulfilled: ${unaccounted.length} affected item(s) are not accounted for (${unaccounted.map((item) => `${item.kind} ${item.id}`).join(', ')})`,
      {
        unaccounted,
        errors: Object.fromEntries(
          unaccounted.map((item) => [
            affectedField(affected, item),
            [`${item.kind} ${item.id} is not accounted for: ${how[item.kind]}`],
          ]),
        ),
      },
    );
  }
  return [
    {
      type: 'DeletionFulfilled',
      data: { requestId, ...fulfilment, fulfilledBy: command.actor, fulfilledAt: command.now },
    },
  ];
}

/** What a fulfilment records: each replacement and retraining with what it replaces, and how every item was accounted for. */
function recordedFulfilment(affected: Affected, stated: StatedFulfilment): Fulfilment {
  const ref = ({ name, version }: DatasetVersionRef) => ({ name, version });
  return {
    replacementDatasetVersions: stated.replacementDatasetVersions.map((replacement) => ({
      ...ref(replacement),
      replaces: replacedBy(affected, replacement).map(ref),
    })),
    retrainedModels: stated.retrainedModels.map((retrained) => ({
      ...ref(retrained),
      replaces: retrainedFor(affected, retrained).map(ref),
    })),
    exceptions: stated.exceptions.map(({ item, reason, covers }) => ({
      item,
      reason,
      ...(covers ? { covers: { kind: covers.kind, id: covers.id } } : {}),
    })),
    accountedFor: accountFor(affected, stated).accounted,
  };
}

/** Each replacement, retraining and exception must be about the assessment's items. */
function checkStatements(
  affected: Affected,
  stated: StatedFulfilment,
  retrainedOn: readonly DatasetVersionRef[][],
): void {
  const errors: Record<string, string[]> = {};
  const add = (field: string, problem: string) => (errors[field] ??= []).push(problem);
  const affectedDatasets = new Set(affected.datasetVersions.map(refId));
  const affectedModels = new Set(affected.models.map(refId));
  const replacements = new Set(stated.replacementDatasetVersions.map(refId));
  stated.replacementDatasetVersions.forEach((replacement, index) => {
    const at = `replacementDatasetVersions.${index}.replaces`;
    replacement.replaces?.forEach((replaced, position) => {
      if (!affectedDatasets.has(refId(replaced))) {
        add(`${at}.${position}`, `${refId(replaced)} is not an affected dataset version`);
      }
    });
    if (replacedBy(affected, replacement).length === 0) {
      add(at, 'replaces no affected dataset version: name the affected versions it replaces');
    }
  });
  stated.retrainedModels.forEach((retrained, index) => {
    const at = `retrainedModels.${index}`;
    if (affectedModels.has(refId(retrained))) {
      add(at, `${refId(retrained)} is an affected model version, not a retrained one`);
    }
    retrained.replaces?.forEach((replaced, position) => {
      if (!affectedModels.has(refId(replaced))) {
        add(`${at}.replaces.${position}`, `${refId(replaced)} is not an affected model version`);
      }
    });
    const trainedOn = retrainedOn[index] ?? [];
    const stale = trainedOn.filter((ref) => affectedDatasets.has(refId(ref)));
    if (stale.length > 0) {
      add(at, `is still trained on affected ${stale.map(refId).join(', ')}`);
    }
    if (!trainedOn.some((ref) => replacements.has(refId(ref)))) {
      add(
        at,
        `was trained on ${trainedOn.map(refId).join(', ') || 'no dataset version'}: none is a replacement named in this fulfilment`,
      );
    }
    if (
      retrainedFor(affected, retrained).length === 0 &&
      deploymentsRetrainedFor(affected, retrained).length === 0
    ) {
      add(
        `${at}.replaces`,
        'replaces no affected model version or deployment: name the affected versions it replaces',
      );
    }
  });
  const items = affectedItems(affected);
  stated.exceptions.forEach(({ covers }, index) => {
    const at = `exceptions.${index}.covers`;
    if (!covers) add(at, 'name the affected item the exception covers');
    else if (!items.some((item) => item.kind === covers.kind && item.id === covers.id)) {
      add(at, `${covers.kind} ${covers.id} is not an affected item of the assessment`);
    }
  });
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'invalid-fulfilment',
      'each replacement, retraining and exception must account for items of the assessment',
      { errors },
    );
  }
}

/** `date` plus `days` calendar days, in UTC date arithmetic (no time zone, no DST). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const utc = (date: string) => {
    const [year, month, day] = date.split('-').map(Number);
    return Date.UTC(year, month - 1, day);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/**
 * The date it already is somewhere on Earth at `now` (UTC+14): a request received this morning in
 * Sydney is dated a day ahead of UTC, and is not in the future.
 */
export function latestDateAt(now: string): string {
  return new Date(Date.parse(now) + 14 * 3_600_000).toISOString().slice(0, 10);
}
