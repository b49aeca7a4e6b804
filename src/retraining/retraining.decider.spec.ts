import { given } from '../../tests/support/decider-spec';
import { type TriggerRetraining, retrainingDecider } from './retraining.decider';
import type { RetrainingTriggered } from './retraining.events';

const NOW = '2026-03-02T06:00:00.000Z';
const TRIGGER = '01936f0e-8a7b-8c3d-9e1f-2a3b4c5d6e7f';
const SIGNAL = '01936f0e-0000-7000-8000-00000000c0de';

function command(
  data: Partial<TriggerRetraining['data']> = {},
  overrides: Partial<TriggerRetraining> = {},
): TriggerRetraining {
  return {
    type: 'TriggerRetraining',
    data: {
      model: 'credit-risk',
      triggerId: TRIGGER,
      reason: 'drift',
      signals: [
        { eventId: SIGNAL, type: 'DriftDetected', metric: 'psi', value: 0.31, threshold: 0.25 },
      ],
      ...data,
    },
    modelRegistered: true,
    actor: 'attest:monitoring',
    now: NOW,
    ...overrides,
  };
}

function triggered(from = command()): RetrainingTriggered {
  return {
    type: 'RetrainingTriggered',
    data: { ...from.data, triggeredBy: from.actor, triggeredAt: from.now },
  };
}

describe('retrainingDecider', () => {
  it('records a trigger with its reason and signals', () => {
    given(retrainingDecider).when(command()).then([triggered()]);
  });

  it('records the same trigger id once: a repeat appends nothing', () => {
    given(retrainingDecider, [triggered()]).when(command()).then([]);
  });

  it('records another trigger id of the same model', () => {
    const next = command({ triggerId: '01936f0e-8a7b-8c3d-9e1f-2a3b4c5d6e80', reason: 'cadence' });
    given(retrainingDecider, [triggered()])
      .when(next)
      .then([triggered(next)]);
  });

  it('refuses a model that is not registered (404)', () => {
    given(retrainingDecider)
      .when(command({}, { modelRegistered: false }))
      .thenRefuses('not-found', 404);
  });

  it('refuses a drift or performance trigger without signals (422 naming signals)', () => {
    given(retrainingDecider)
      .when(command({ reason: 'performance', signals: [] }))
      .thenRefuses('signals-required', 422);
  });

  it('takes a manual trigger without signals', () => {
    const manual = command({ reason: 'manual', signals: [], note: 'new bureau data arrived' });
    given(retrainingDecider)
      .when(manual)
      .then([triggered(manual)]);
  });
});
