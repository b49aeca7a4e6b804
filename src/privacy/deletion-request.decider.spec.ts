import { isCalendarDate } from '../ledger/calendar-date';
import { given } from '../../tests/support/decider-spec';
import {
  AssessDeletion,
  FulfilDeletion,
  RequestDeletion,
  addDays,
  daysBetween,
  deletionRequestDecider,
  latestDateAt,
} from './deletion-request.decider';
import type {
  DeletionAssessed,
  DeletionFulfilled,
  DeletionRequested,
} from './deletion-request.events';

const NOW = '2026-03-10T09:00:00.000Z';
const REQUEST_ID = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';
const SUBJECT_REF = `hmac-sha256:${'5e'.repeat(32)}`;

function requestDeletion(overrides: Partial<RequestDeletion['data']> = {}): RequestDeletion {
  return {
    type: 'RequestDeletion',
    actor: 'carol',
    now: NOW,
    data: {
      requestId: REQUEST_ID,
      subjectRef: SUBJECT_REF,
      receivedOn: '2026-03-02',
      channel: 'web form',
      ...overrides,
    },
  };
}

const requested: DeletionRequested = {
  type: 'DeletionRequested',
  data: {
    requestId: REQUEST_ID,
    subjectRef: SUBJECT_REF,
    receivedOn: '2026-03-02',
    dueOn: '2026-04-01',
    channel: 'web form',
    requestedBy: 'carol',
    requestedAt: NOW,
  },
};

function assessDeletion(overrides: Partial<AssessDeletion['data']> = {}): AssessDeletion {
  return {
    type: 'AssessDeletion',
    actor: 'carol',
    now: NOW,
    data: {
      requestId: REQUEST_ID,
      affected: {
        datasetVersions: [{ name: 'loan-applications', version: '2026-02' }],
        models: [{ name: 'credit-risk', version: '1.4.0' }],
        deployments: ['credit-risk.production'],
      },
      notes: 'found in the February extract',
      ...overrides,
    },
  };
}

const assessed = (command = assessDeletion()): DeletionAssessed => ({
  type: 'DeletionAssessed',
  data: { ...command.data, assessedBy: command.actor, assessedAt: command.now },
});

function fulfilDeletion(overrides: Partial<FulfilDeletion['data']> = {}): FulfilDeletion {
  return {
    type: 'FulfilDeletion',
    actor: 'admin-ann',
    now: NOW,
    data: {
      requestId: REQUEST_ID,
      replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-02-r1' }],
      retrainedModels: [{ name: 'credit-risk', version: '1.4.1' }],
      exceptions: [{ item: 'loan ledger', reason: 'retention obligation (AML/CTF Act s 107)' }],
      ...overrides,
    },
  };
}

const fulfilled = (command = fulfilDeletion()): DeletionFulfilled => ({
  type: 'DeletionFulfilled',
  data: { ...command.data, fulfilledBy: command.actor, fulfilledAt: command.now },
});

describe('deletion request decider', () => {
  describe('receiving a request', () => {
    it('records the subject ref, the received date and a due date 30 calendar days later', () => {
      given(deletionRequestDecider).when(requestDeletion()).then([requested]);
    });

    it('counts the 30 days across month and year ends and leap days', () => {
      const dueOn = (receivedOn: string) =>
        given(deletionRequestDecider)
          .when(requestDeletion({ receivedOn }))
          .events()
          .map((event) => (event as DeletionRequested).data.dueOn)[0];
      expect(dueOn('2025-12-15')).toBe('2026-01-14');
      expect(dueOn('2024-02-01')).toBe('2024-03-02');
      expect(dueOn('2026-01-31')).toBe('2026-03-02');
    });

    it('accepts a request received today', () => {
      const events = given(deletionRequestDecider)
        .when(requestDeletion({ receivedOn: '2026-03-10' }))
        .events();
      expect(events).toMatchObject([{ data: { dueOn: '2026-04-09' } }]);
    });

    it('accepts today’s date where it is already tomorrow in UTC (Sydney morning)', () => {
      const sydneyMorning = {
        ...requestDeletion({ receivedOn: '2026-03-11' }),
        now: '2026-03-10T21:30:00.000Z',
      };
      expect(given(deletionRequestDecider).when(sydneyMorning).events()).toHaveLength(1);
    });

    it('refuses a received date in the future', () => {
      given(deletionRequestDecider)
        .when(requestDeletion({ receivedOn: '2026-03-12' }))
        .thenRefuses('received-in-future', 422);
      given(deletionRequestDecider)
        .when({ ...requestDeletion({ receivedOn: '2026-03-11' }), now: '2026-03-10T09:00:00.000Z' })
        .thenRefuses('received-in-future', 422);
    });

    it('refuses a date that is not on the calendar', () => {
      given(deletionRequestDecider)
        .when(requestDeletion({ receivedOn: '2026-02-30' }))
        .thenRefuses('invalid-date', 422);
    });

    it('is an idempotent success when the same request is recorded again', () => {
      given(deletionRequestDecider, [requested]).when(requestDeletion()).then([]);
    });

    it('refuses other details under an id already recorded', () => {
      given(deletionRequestDecider, [requested])
        .when(requestDeletion({ receivedOn: '2026-03-03' }))
        .thenRefuses('deletion-request-exists', 409);
    });
  });

  describe('assessing it', () => {
    it('records the affected dataset versions, models and deployments of an open request', () => {
      given(deletionRequestDecider, [requested]).when(assessDeletion()).then([assessed()]);
    });

    it('refuses a request never recorded', () => {
      given(deletionRequestDecider).when(assessDeletion()).thenRefuses('not-found', 404);
    });

    it('takes a revised assessment while assessed, and an identical one as a no-op', () => {
      const revised = assessDeletion({ notes: 'also in the bureau extract' });
      given(deletionRequestDecider, [requested, assessed()])
        .when(revised)
        .then([assessed(revised)]);
      given(deletionRequestDecider, [requested, assessed()]).when(assessDeletion()).then([]);
    });

    it('refuses to assess a fulfilled request', () => {
      given(deletionRequestDecider, [requested, assessed(), fulfilled()])
        .when(assessDeletion())
        .thenRefuses('deletion-request-closed', 409);
    });
  });

  describe('fulfilling it', () => {
    it('records replacements, retrained models and exceptions of an assessed request', () => {
      given(deletionRequestDecider, [requested, assessed()])
        .when(fulfilDeletion())
        .then([fulfilled()]);
    });

    it('refuses a request not yet assessed', () => {
      given(deletionRequestDecider, [requested])
        .when(fulfilDeletion())
        .thenRefuses('deletion-request-not-assessed', 409);
    });

    it('refuses a request never recorded', () => {
      given(deletionRequestDecider).when(fulfilDeletion()).thenRefuses('not-found', 404);
    });

    it('takes an identical fulfilment again as a no-op, and refuses a different one', () => {
      const history = [requested, assessed(), fulfilled()];
      given(deletionRequestDecider, history).when(fulfilDeletion()).then([]);
      given(deletionRequestDecider, history)
        .when(fulfilDeletion({ exceptions: [] }))
        .thenRefuses('deletion-request-closed', 409);
    });

    it('refuses an affected dataset version named as its own replacement', () => {
      given(deletionRequestDecider, [requested, assessed()])
        .when(
          fulfilDeletion({
            replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-02' }],
          }),
        )
        .thenRefuses('replacement-is-affected', 422);
    });
  });

  describe('date arithmetic', () => {
    it('tells calendar dates from look-alikes', () => {
      expect(isCalendarDate('2024-02-29')).toBe(true);
      expect(isCalendarDate('2025-02-29')).toBe(false);
      expect(isCalendarDate('2026-13-01')).toBe(false);
      expect(isCalendarDate('2026-3-01')).toBe(false);
    });

    it('adds and counts days in UTC', () => {
      expect(addDays('2026-03-31', 1)).toBe('2026-04-01');
      expect(daysBetween('2026-03-10', '2026-04-01')).toBe(22);
      expect(daysBetween('2026-04-03', '2026-04-01')).toBe(-2);
    });

    it('takes the latest calendar date on Earth at an instant', () => {
      expect(latestDateAt('2026-03-10T09:59:59.000Z')).toBe('2026-03-10');
      expect(latestDateAt('2026-03-10T10:00:00.000Z')).toBe('2026-03-11');
    });
  });
});
