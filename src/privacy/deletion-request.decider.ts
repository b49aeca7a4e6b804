import { isCalendarDate } from '../ledger/calendar-date';
import { type Decider, unhandled } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import { canonicalJson } from '../ledger/canonical-json';
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
  data: Omit<DeletionFulfilled['data'], 'fulfilledBy' | 'fulfilledAt'>;
  actor: string;
  now: string;
};

export type DeletionRequestCommand = RequestDeletion | AssessDeletion | FulfilDeletion;

type Received = Pick<DeletionRequested['data'], 'subjectRef' | 'receivedOn' | 'channel'>;
type Assessment = Pick<DeletionAssessed['data'], 'affected' | 'notes'>;
type Fulfilment = Omit<DeletionFulfilled['data'], 'requestId' | 'fulfilledBy' | 'fulfilledAt'>;

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
        const { replacementDatasetVersions, retrainedModels, exceptions } = event.data;
        return {
          ...state,
          status: 'fulfilled',
          fulfilment: { replacementDatasetVersions, retrainedModels, exceptions },
        };
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

function fulfil(command: FulfilDeletion, state: DeletionRequestState): DeletionRequestEvent[] {
  const { requestId, ...fulfilment } = command.data;
  switch (state.status) {
    case 'none':
      throw new NotRecorded('deletion request', requestId);
    case 'open':
      throw new StateConflict(
        'deletion-request-not-assessed',
        `deletion request ${requestId} must be assessed before it is fulfilled`,
      );
    case 'fulfilled':
      if (canonicalJson(state.fulfilment) === canonicalJson(fulfilment)) return [];
      throw new StateConflict(
        'deletion-request-closed',
        `deletion request ${requestId} is already fulfilled, with other details`,
      );
    case 'assessed':
      break;
    default:
      return unhandled(state);
  }
  // A replacement must be a new version: an affected one still holds the subject's data.
  const affected = new Set(
    state.assessment.affected.datasetVersions.map(({ name, version }) => `${name}@${version}`),
  );
  const errors: Record<string, string[]> = {};
  fulfilment.replacementDatasetVersions.forEach(({ name, version }, index) => {
    if (affected.has(`${name}@${version}`)) {
      errors[`replacementDatasetVersions.${index}`] = [
        `${name}@${version} is an affected version, not a replacement`,
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
  return [
    {
      type: 'DeletionFulfilled',
      data: { requestId, ...fulfilment, fulfilledBy: command.actor, fulfilledAt: command.now },
    },
  ];
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
