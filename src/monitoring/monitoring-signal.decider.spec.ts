import { given } from '../../tests/support/decider-spec';
import { replay } from '../ledger/commands/decider';
import type { DeploymentEvent } from '../deployments/deployment.events';
import { type DeploymentRecord, deploymentRecord } from './deployment-record';
import {
  type RecordDrift,
  type RecordPerformance,
  monitoringSignalDecider,
} from './monitoring-signal.decider';
import type { DriftDetected, PerformanceDegraded } from './monitoring.events';

const NOW = '2026-03-02T06:00:00.000Z';
const WINDOW = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' };
const deployed: DeploymentRecord = { recorded: true, versions: ['1.0.0', '1.1.0'] };

function drift(
  overrides: Partial<RecordDrift['data']> = {},
  deployment: DeploymentRecord = deployed,
): RecordDrift {
  return {
    type: 'RecordDrift',
    data: {
      signalId: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
      deploymentId: 'credit-risk.production',
      model: 'credit-risk',
      environment: 'production',
      version: '1.1.0',
      feature: 'annual_income',
      metric: 'psi',
      value: 0.31,
      threshold: 0.25,
      window: WINDOW,
      ...overrides,
    },
    deployment,
    actor: 'drift-monitor',
    now: NOW,
  };
}

function performance(overrides: Partial<RecordPerformance['data']> = {}): RecordPerformance {
  return {
    type: 'RecordPerformance',
    data: {
      signalId: '01936f0e-8a7b-7c3d-9e1f-000000000001',
      deploymentId: 'credit-risk.production',
      model: 'credit-risk',
      environment: 'production',
      version: '1.0.0',
      metric: 'auc',
      value: 0.7,
      threshold: 0.75,
      higherIsBetter: true,
      window: WINDOW,
      ...overrides,
    },
    deployment: deployed,
    actor: 'perf-monitor',
    now: NOW,
  };
}

function detected(command = drift(), breached = true): DriftDetected {
  return {
    type: 'DriftDetected',
    data: { ...command.data, breached, detectedBy: command.actor, detectedAt: command.now },
  };
}

function degraded(command = performance(), breached = true): PerformanceDegraded {
  return {
    type: 'PerformanceDegraded',
    data: { ...command.data, breached, detectedBy: command.actor, detectedAt: command.now },
  };
}

/** The refusal's field errors, to check which field a rule names. */
function errorsOf(command: RecordDrift): Record<string, string[]> {
  try {
    monitoringSignalDecider.decide(command, monitoringSignalDecider.initialState());
  } catch (error) {
    return (error as { details: { errors: Record<string, string[]> } }).details.errors;
  }
  throw new Error('expected a refusal');
}

describe('monitoring signal decider', () => {
  it('records drift above its threshold as breached, and at or below it as not', () => {
    given(monitoringSignalDecider).when(drift()).then([detected()]);
    const calm = drift({ value: 0.25 });
    given(monitoringSignalDecider)
      .when(calm)
      .then([detected(calm, false)]);
  });

  it('breaches performance on the worse side of the threshold, whichever way is better', () => {
    given(monitoringSignalDecider).when(performance()).then([degraded()]);
    const fine = performance({ value: 0.8 });
    given(monitoringSignalDecider)
      .when(fine)
      .then([degraded(fine, false)]);
    const errorRate = performance({
      metric: 'error-rate',
      value: 0.09,
      threshold: 0.05,
      higherIsBetter: false,
    });
    given(monitoringSignalDecider)
      .when(errorRate)
      .then([degraded(errorRate, true)]);
    const lowErrors = performance({
      metric: 'error-rate',
      value: 0.01,
      threshold: 0.05,
      higherIsBetter: false,
    });
    given(monitoringSignalDecider)
      .when(lowErrors)
      .then([degraded(lowErrors, false)]);
  });

  it('records a measurement sent again with the same figures once (a retry), under any id', () => {
    given(monitoringSignalDecider, [detected()])
      .when(drift({ signalId: '01936f0e-8a7b-7c3d-9e1f-ffffffffffff' }))
      .then([]);
    given(monitoringSignalDecider, [degraded()]).when(performance()).then([]);
  });

  it('refuses the same measurement with other figures (409)', () => {
    given(monitoringSignalDecider, [detected()])
      .when(drift({ value: 0.4 }))
      .thenRefuses('signal-already-recorded', 409);
    given(monitoringSignalDecider, [degraded()])
      .when(performance({ higherIsBetter: false }))
      .thenRefuses('signal-already-recorded', 409);
  });

  it('records another window, feature, metric or version as a new measurement', () => {
    const history = [detected()];
    const others = [
      drift({ window: { from: WINDOW.to, to: '2026-03-03T00:00:00.000Z' } }),
      drift({ feature: 'loan_term' }),
      drift({ metric: 'ks' }),
      drift({ version: '1.0.0' }),
    ];
    for (const command of others) {
      given(monitoringSignalDecider, history)
        .when(command)
        .then([detected(command)]);
    }
  });

  it('refuses a deployment the ledger never recorded (404)', () => {
    given(monitoringSignalDecider)
      .when(drift({}, { recorded: false, versions: [] }))
      .thenRefuses('not-found', 404);
  });

  it('refuses a version never deployed there (422), naming version', () => {
    given(monitoringSignalDecider)
      .when(drift({ version: '9.9.9' }))
      .thenRefuses('version-not-deployed', 422);
    expect(errorsOf(drift({ version: '9.9.9' }))).toEqual({ version: [expect.any(String)] });
  });

  it('refuses a window that does not end after it starts (422), naming window.to', () => {
    const at = WINDOW.from;
    given(monitoringSignalDecider)
      .when(drift({ window: { from: at, to: at } }))
      .thenRefuses('invalid-signal', 422);
    expect(errorsOf(drift({ window: { from: WINDOW.to, to: at } }))).toEqual({
      'window.to': [expect.any(String)],
    });
  });
});

describe('deployment record (the deployment stream folded for monitoring)', () => {
  const slot = {
    deploymentId: 'credit-risk.staging',
    model: 'credit-risk',
    environment: 'staging',
  };
  const deploy = (version: string, previousVersion: string | null): DeploymentEvent => ({
    type: 'ModelDeployed',
    data: {
      ...slot,
      version,
      strategy: 'full',
      canaryPercent: null,
      previousVersion,
      approvalId: null,
      deployedBy: 'rick',
      deployedAt: NOW,
    },
  });

  it('is unrecorded until the first event', () => {
    expect(replay(deploymentRecord, [])).toEqual({ recorded: false, versions: [] });
  });

  it('keeps every version ever deployed, rolled back ones included', () => {
    const rolledBack: DeploymentEvent = {
      type: 'DeploymentRolledBack',
      data: {
        ...slot,
        fromVersion: '1.1.0',
        toVersion: '1.0.0',
        reason: 'drift',
        automatic: false,
        rolledBackBy: 'rick',
        rolledBackAt: NOW,
      },
    };
    expect(
      replay(deploymentRecord, [
        deploy('1.0.0', null),
        deploy('1.1.0', '1.0.0'),
        rolledBack,
        deploy('1.0.0', '1.0.0'),
      ]),
    ).toEqual({ recorded: true, versions: ['1.0.0', '1.1.0'] });
  });
});
