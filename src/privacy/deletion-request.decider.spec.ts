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

const REPLACEMENT = { name: 'loan-applications', version: '2026-02-r1' };
const RETRAINED = { name: 'credit-risk', version: '1.4.1' };

function fulfilDeletion(
  overrides: Partial<FulfilDeletion['data']> = {},
  retrainedOn: FulfilDeletion['retrainedOn'] = [[REPLACEMENT]],
): FulfilDeletion {
  return {
    type: 'FulfilDeletion',
    actor: 'admin-ann',
    now: NOW,
    data: {
      requestId: REQUEST_ID,
      replacementDatasetVersions: [REPLACEMENT],
      retrainedModels: [RETRAINED],
      exceptions: [],
      ...overrides,
    },
    retrainedOn,
  };
}

/** The default fulfilment as recorded: what each replaces, and how every item was accounted for. */
const fulfilled = (): DeletionFulfilled => ({
  type: 'DeletionFulfilled',
  data: {
    requestId: REQUEST_ID,
    replacementDatasetVersions: [
      { ...REPLACEMENT, replaces: [{ name: 'loan-applications', version: '2026-02' }] },
    ],
    retrainedModels: [{ ...RETRAINED, replaces: [{ name: 'credit-risk', version: '1.4.0' }] }],
    exceptions: [],
    accountedFor: [
      {
        kind: 'dataset-version',
        id: 'loan-applications@2026-02',
        by: 'replacement',
        detail: 'loan-applications@2026-02-r1',
      },
      { kind: 'model', id: 'credit-risk@1.4.0', by: 'retraining', detail: 'credit-risk@1.4.1' },
      {
        kind: 'deployment',
        id: 'credit-risk.production',
        by: 'retraining',
        detail: 'credit-risk@1.4.1',
      },
    ],
    fulfilledBy: 'admin-ann',
    fulfilledAt: NOW,
  },
});

function refusalOf(
  decide: () => unknown,
): Error & { code?: string; details: Record<string, unknown> } {
  try {
    decide();
  } catch (error) {
    return error as Error & { code?: string; details: Record<string, unknown> };
  }
  throw new Error('the command was not refused');
}

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
    const decideOn = (history: Parameters<typeof given>[1], command: FulfilDeletion) => () =>
      deletionRequestDecider.decide(command, given(deletionRequestDecider, history).state);

    it('records each replacement and retraining with what it replaces, and how every item was accounted for', () => {
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
        .when(
          fulfilDeletion({
            exceptions: [
              {
                item: 'archive',
                reason: 'legal hold',
                covers: { kind: 'deployment', id: 'credit-risk.production' },
              },
            ],
          }),
        )
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

    describe('every affected item accounted for', () => {
      const wide = assessed(
        assessDeletion({
          affected: {
            datasetVersions: [
              { name: 'loan-applications', version: '2026-01' },
              { name: 'bureau', version: '2026-02' },
            ],
            models: [
              { name: 'credit-risk', version: '1.4.0' },
              { name: 'limits', version: '2.0.0' },
            ],
            deployments: ['credit-risk.production'],
          },
        }),
      );

      it('refuses a fulfilment with no replacement, no retraining and no exception, naming all five items (422)', () => {
        const refusal = refusalOf(
          decideOn(
            [requested, wide],
            fulfilDeletion({ replacementDatasetVersions: [], retrainedModels: [] }, []),
          ),
        );
        expect(refusal).toMatchObject({
          code: 'deletion-items-unaccounted',
          status: 422,
          details: {
            unaccounted: [
              { kind: 'dataset-version', id: 'loan-applications@2026-01' },
              { kind: 'dataset-version', id: 'bureau@2026-02' },
              { kind: 'model', id: 'credit-risk@1.4.0' },
              { kind: 'model', id: 'limits@2.0.0' },
              { kind: 'deployment', id: 'credit-risk.production' },
            ],
          },
        });
        expect(Object.keys(refusal.details.errors as object)).toEqual([
          'affected.datasetVersions.0',
          'affected.datasetVersions.1',
          'affected.models.0',
          'affected.models.1',
          'affected.deployments.0',
        ]);
        expect(refusal.message).toContain('5 affected item(s) are not accounted for');
      });

      it('refuses an exception about something the assessment does not name (422 invalid-fulfilment)', () => {
        const refusal = refusalOf(
          decideOn(
            [requested, wide],
            fulfilDeletion(
              {
                replacementDatasetVersions: [],
                retrainedModels: [],
                exceptions: [
                  {
                    item: 'loan ledger',
                    reason: 'retention obligation',
                    covers: { kind: 'dataset-version', id: 'loan-ledger@2019' },
                  },
                ],
              },
              [],
            ),
          ),
        );
        expect(refusal).toMatchObject({
          code: 'invalid-fulfilment',
          details: {
            errors: {
              'exceptions.0.covers': [
                'dataset-version loan-ledger@2019 is not an affected item of the assessment',
              ],
            },
          },
        });
      });

      it('names only what is still unaccounted after a partial fulfilment', () => {
        const refusal = refusalOf(
          decideOn(
            [requested, wide],
            fulfilDeletion(
              {
                replacementDatasetVersions: [
                  { name: 'loan-applications', version: '2026-01-r1' },
                  { name: 'bureau', version: '2026-02-r1' },
                ],
              },
              [[{ name: 'loan-applications', version: '2026-01-r1' }]],
            ),
          ),
        );
        expect(refusal.details).toMatchObject({
          unaccounted: [{ kind: 'model', id: 'limits@2.0.0' }],
          errors: { 'affected.models.1': [expect.stringContaining('model limits@2.0.0')] },
        });
      });

      it('accepts replacements, retrainings and exceptions that together cover every item', () => {
        const [event] = given(deletionRequestDecider, [requested, wide])
          .when(
            fulfilDeletion(
              {
                replacementDatasetVersions: [
                  { name: 'loan-applications', version: '2026-01-r1' },
                  {
                    name: 'bureau-clean',
                    version: '1',
                    replaces: [{ name: 'bureau', version: '2026-02' }],
                  },
                ],
                retrainedModels: [
                  {
                    name: 'credit-risk-v2',
                    version: '1.0.0',
                    replaces: [{ name: 'credit-risk', version: '1.4.0' }],
                  },
                ],
                exceptions: [
                  {
                    item: 'limits 2.0.0 frozen for the regulator’s review',
                    reason: 'legal hold (matter 2026-17)',
                    covers: { kind: 'model', id: 'limits@2.0.0' },
                  },
                ],
              },
              [[{ name: 'bureau-clean', version: '1' }]],
            ),
          )
          .events();
        expect(event.type).toBe('DeletionFulfilled');
        const { accountedFor } = (event as DeletionFulfilled).data;
        expect(accountedFor).toEqual([
          {
            kind: 'dataset-version',
            id: 'loan-applications@2026-01',
            by: 'replacement',
            detail: 'loan-applications@2026-01-r1',
          },
          {
            kind: 'dataset-version',
            id: 'bureau@2026-02',
            by: 'replacement',
            detail: 'bureau-clean@1',
          },
          {
            kind: 'model',
            id: 'credit-risk@1.4.0',
            by: 'retraining',
            detail: 'credit-risk-v2@1.0.0',
          },
          {
            kind: 'model',
            id: 'limits@2.0.0',
            by: 'exception',
            detail: 'legal hold (matter 2026-17)',
          },
          // The retrained version replaces a credit-risk version: it accounts for its deployment.
          {
            kind: 'deployment',
            id: 'credit-risk.production',
            by: 'retraining',
            detail: 'credit-risk-v2@1.0.0',
          },
        ]);
      });

      it('refuses a retraining on no replacement, or still on affected data, or of an affected version', () => {
        const refusal = refusalOf(
          decideOn(
            [requested, assessed()],
            fulfilDeletion(
              {
                retrainedModels: [RETRAINED, { name: 'credit-risk', version: '1.4.0' }],
              },
              [[{ name: 'loan-applications', version: '2026-02' }], [REPLACEMENT]],
            ),
          ),
        );
        expect(refusal).toMatchObject({
          code: 'invalid-fulfilment',
          details: {
            errors: {
              'retrainedModels.0': [
                'is still trained on affected loan-applications@2026-02',
                'was trained on loan-applications@2026-02: none is a replacement named in this fulfilment',
              ],
              'retrainedModels.1': [
                'credit-risk@1.4.0 is an affected model version, not a retrained one',
              ],
            },
          },
        });
      });

      it('refuses a replacement or retraining that replaces nothing assessed', () => {
        const refusal = refusalOf(
          decideOn(
            [requested, assessed()],
            fulfilDeletion(
              {
                replacementDatasetVersions: [
                  REPLACEMENT,
                  { name: 'bureau', version: '2' },
                  {
                    name: 'other',
                    version: '1',
                    replaces: [{ name: 'bureau', version: '1' }],
                  },
                ],
                retrainedModels: [RETRAINED, { name: 'fraud', version: '3.0.0' }],
              },
              [[REPLACEMENT], [REPLACEMENT]],
            ),
          ),
        );
        expect(refusal.details.errors).toEqual({
          'replacementDatasetVersions.1.replaces': [
            'replaces no affected dataset version: name the affected versions it replaces',
          ],
          'replacementDatasetVersions.2.replaces.0': [
            'bureau@1 is not an affected dataset version',
          ],
          'retrainedModels.1.replaces': [
            'replaces no affected model version or deployment: name the affected versions it replaces',
          ],
        });
      });

      it('fulfils an assessment that found nothing with nothing to account for', () => {
        const nothing = assessed(
          assessDeletion({ affected: { datasetVersions: [], models: [], deployments: [] } }),
        );
        const [event] = given(deletionRequestDecider, [requested, nothing])
          .when(fulfilDeletion({ replacementDatasetVersions: [], retrainedModels: [] }, []))
          .events();
        expect((event as DeletionFulfilled).data.accountedFor).toEqual([]);
      });

      it('folds a fulfilment recorded before the rule, and keeps its request closed', () => {
        const legacy: DeletionFulfilled = {
          type: 'DeletionFulfilled',
          data: {
            requestId: REQUEST_ID,
            replacementDatasetVersions: [],
            retrainedModels: [],
            exceptions: [{ item: 'loan ledger', reason: 'retention obligation' }],
            fulfilledBy: 'admin-ann',
            fulfilledAt: NOW,
          },
        };
        const history = [requested, wide, legacy];
        expect(given(deletionRequestDecider, history).state.status).toBe('fulfilled');
        given(deletionRequestDecider, history)
          .when(fulfilDeletion())
          .thenRefuses('deletion-request-closed', 409);
      });
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
