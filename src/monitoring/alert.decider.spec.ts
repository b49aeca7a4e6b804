import { given } from '../../tests/support/decider-spec';
import { type RaiseAlert, type ResolveAlert, alertDecider } from './alert.decider';
import type { AlertRaised, AlertResolved } from './monitoring.events';

const NOW = '2026-03-02T06:00:00.000Z';
const LATER = '2026-03-03T10:00:00.000Z';
const ALERT = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';
const CAUSE = '01936f0e-0000-7000-8000-00000000c0de';

function raise(
  overrides: Partial<RaiseAlert> = {},
  data: Partial<RaiseAlert['data']> = {},
): RaiseAlert {
  return {
    type: 'RaiseAlert',
    data: {
      alertId: ALERT,
      deploymentId: 'credit-risk.production',
      model: 'credit-risk',
      environment: 'production',
      severity: 'high',
      kind: 'operational',
      summary: 'scoring latency p99 above 2 s since 09:00',
      causeEventId: null,
      ...data,
    },
    deploymentRecorded: true,
    cause: null,
    actor: 'rick',
    now: NOW,
    ...overrides,
  };
}

function resolve(resolution = 'scaled the scoring service'): ResolveAlert {
  return { type: 'ResolveAlert', data: { alertId: ALERT, resolution }, actor: 'rosa', now: LATER };
}

function raised(command = raise()): AlertRaised {
  return {
    type: 'AlertRaised',
    data: { ...command.data, raisedBy: command.actor, raisedAt: command.now },
  };
}

function resolved(command = resolve()): AlertResolved {
  return {
    type: 'AlertResolved',
    data: {
      alertId: ALERT,
      deploymentId: 'credit-risk.production',
      resolution: command.data.resolution,
      resolvedBy: command.actor,
      resolvedAt: command.now,
    },
  };
}

describe('alert decider', () => {
  it('raises an alert on a recorded deployment', () => {
    given(alertDecider).when(raise()).then([raised()]);
  });

  it('raises one caused by a signal recorded for the deployment', () => {
    const caused = raise(
      { cause: { eventId: CAUSE, recorded: true } },
      { causeEventId: CAUSE, kind: 'drift' },
    );
    given(alertDecider)
      .when(caused)
      .then([raised(caused)]);
  });

  it('refuses a cause that is not a signal of the deployment (422)', () => {
    given(alertDecider)
      .when(raise({ cause: { eventId: CAUSE, recorded: false } }, { causeEventId: CAUSE }))
      .thenRefuses('unknown-cause', 422);
  });

  it('refuses a deployment the ledger never recorded (404)', () => {
    given(alertDecider)
      .when(raise({ deploymentRecorded: false }))
      .thenRefuses('not-found', 404);
  });

  it('raises an alert once: the same id again is a retry', () => {
    given(alertDecider, [raised()]).when(raise()).then([]);
    given(alertDecider, [raised(), resolved()]).when(raise()).then([]);
  });

  it('resolves an open alert', () => {
    given(alertDecider, [raised()]).when(resolve()).then([resolved()]);
  });

  it('resolves it once: the same resolution again is a retry, another one a conflict (409)', () => {
    given(alertDecider, [raised(), resolved()]).when(resolve()).then([]);
    given(alertDecider, [raised(), resolved()])
      .when(resolve('it was a false alarm'))
      .thenRefuses('alert-already-resolved', 409);
  });

  it('refuses to resolve an alert never raised (404)', () => {
    given(alertDecider).when(resolve()).thenRefuses('not-found', 404);
  });
});
