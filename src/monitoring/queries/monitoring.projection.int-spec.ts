import { type ProjectionSpec, projectionSpec } from '../../../tests/support/projection-spec';
import type {
  AlertRaised,
  AlertResolved,
  DriftDetected,
  PerformanceDegraded,
} from '../monitoring.events';
import { MonitoringProjection } from './monitoring.projection';

type At<E> = E & { stream: string };

const DEPLOYMENT = 'credit-risk.production';
const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 10, minute)).toISOString();
const id = (n: number) => `01950000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

function drift(
  signalId: string,
  options: { feature?: string; value?: number; minute?: number } = {},
): At<DriftDetected> {
  const value = options.value ?? 0.31;
  return {
    type: 'DriftDetected',
    stream: `monitoring-${DEPLOYMENT}`,
    data: {
      signalId,
      deploymentId: DEPLOYMENT,
      model: 'credit-risk',
      environment: 'production',
      version: '1.1.0',
      feature: options.feature ?? 'income',
      metric: 'psi',
      value,
      threshold: 0.2,
      breached: value > 0.2,
      window: { from: at(0), to: at(options.minute ?? 30) },
      bins: [
        { baseline: 0.25, observed: 0.1 },
        { baseline: 0.5, observed: 0.45 },
        { baseline: 0.25, observed: 0.45 },
      ],
      detectedBy: 'attest',
      detectedAt: at((options.minute ?? 30) + 1),
    },
  };
}

function degraded(signalId: string, value = 0.64, minute = 40): At<PerformanceDegraded> {
  return {
    type: 'PerformanceDegraded',
    stream: `monitoring-${DEPLOYMENT}`,
    data: {
      signalId,
      deploymentId: DEPLOYMENT,
      model: 'credit-risk',
      environment: 'production',
      version: '1.1.0',
      metric: 'auc',
      value,
      threshold: 0.7,
      higherIsBetter: true,
      breached: value < 0.7,
      window: { from: at(0), to: at(minute) },
      detectedBy: 'monitoring-pipeline',
      detectedAt: at(minute + 1),
    },
  };
}

function raised(
  alertId: string,
  causeEventId: string | null,
  options: { kind?: 'drift' | 'performance' | 'operational'; minute?: number } = {},
): At<AlertRaised> {
  const kind = options.kind ?? 'drift';
  return {
    type: 'AlertRaised',
    stream: `alert-${alertId}`,
    data: {
      alertId,
      deploymentId: DEPLOYMENT,
      model: 'credit-risk',
      environment: 'production',
      severity: kind === 'operational' ? 'medium' : 'high',
      kind,
      summary: `${kind} threshold breached on credit-risk 1.1.0 in production`,
      causeEventId,
      raisedBy: 'attest',
      raisedAt: at(options.minute ?? 45),
    },
  };
}

function resolved(alertId: string, resolution = 'rolled back to 1.0.0', minute = 50) {
  const event: At<AlertResolved> = {
    type: 'AlertResolved',
    stream: `alert-${alertId}`,
    data: {
      alertId,
      deploymentId: DEPLOYMENT,
      resolution,
      resolvedBy: 'on-call',
      resolvedAt: at(minute),
    },
  };
  return event;
}

describe('MonitoringProjection', () => {
  let spec: ProjectionSpec<MonitoringProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(MonitoringProjection);
  });
  afterAll(() => spec?.close());

  const signals = () =>
    spec.rows(
      `SELECT signal_id::text AS signal_id, deployment_id, kind, model, environment, version,
         feature, metric, value, threshold, higher_is_better, breached,
         to_json(window_from) #>> '{}' AS window_from, to_json(window_to) #>> '{}' AS window_to,
         detected_by, to_json(detected_at) #>> '{}' AS detected_at, event_id::text AS event_id
       FROM monitoring_signals ORDER BY signal_id`,
    );
  const alerts = () =>
    spec.rows(
      `SELECT alert_id::text AS alert_id, deployment_id, model, environment, severity, kind,
         summary, cause_event_id::text AS cause_event_id, status, raised_by,
         to_json(raised_at) #>> '{}' AS raised_at, raised_event_id::text AS raised_event_id,
         resolution, resolved_by, to_json(resolved_at) #>> '{}' AS resolved_at,
         resolved_event_id::text AS resolved_event_id, last_revision::text AS last_revision
       FROM alerts ORDER BY alert_id`,
    );
  const instant = (value: unknown) =>
    value === null ? null : new Date(value as string).toISOString();

  it('derives its event types from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'AlertRaised',
      'AlertResolved',
      'DriftDetected',
      'PerformanceDegraded',
    ]);
  });

  it('records drift and performance signals, each kind with its own columns', async () => {
    const [driftEvent, performanceEvent] = await spec.given([
      drift(id(1), { value: 0.31 }),
      degraded(id(2), 0.64),
    ]);
    const rows = (await signals()).map((row) => ({
      ...row,
      window_from: instant(row.window_from),
      window_to: instant(row.window_to),
      detected_at: instant(row.detected_at),
    }));
    expect(rows).toEqual([
      {
        signal_id: id(1),
        deployment_id: DEPLOYMENT,
        kind: 'drift',
        model: 'credit-risk',
        environment: 'production',
        version: '1.1.0',
        feature: 'income',
        metric: 'psi',
        value: 0.31,
        threshold: 0.2,
        higher_is_better: null,
        breached: true,
        window_from: at(0),
        window_to: at(30),
        detected_by: 'attest',
        detected_at: at(31),
        event_id: driftEvent.id,
      },
      {
        signal_id: id(2),
        deployment_id: DEPLOYMENT,
        kind: 'performance',
        model: 'credit-risk',
        environment: 'production',
        version: '1.1.0',
        feature: null,
        metric: 'auc',
        value: 0.64,
        threshold: 0.7,
        higher_is_better: true,
        breached: true,
        window_from: at(0),
        window_to: at(40),
        detected_by: 'monitoring-pipeline',
        detected_at: at(41),
        event_id: performanceEvent.id,
      },
    ]);
  });

  it('keeps a signal recorded twice as first recorded, and a run of many in one go', async () => {
    const [first] = await spec.given([
      drift(id(3), { value: 0.05 }),
      drift(id(4), { feature: 'age', value: 0.12 }),
      drift(id(3), { value: 0.05 }),
      drift(id(5), { feature: 'tenure', value: 0.27 }),
    ]);
    const rows = await signals();
    expect(rows.map((row) => [row.signal_id, row.feature, row.breached])).toEqual([
      [id(3), 'income', false],
      [id(4), 'age', false],
      [id(5), 'tenure', true],
    ]);
    expect(rows[0].event_id).toBe(first.id);
  });

  it('opens an alert on its signal and resolves it', async () => {
    const [signal] = await spec.given([drift(id(6))]);
    const [raise] = await spec.given([raised(id(100), signal.id)], { keep: true });
    const [open] = await alerts();
    expect({ ...open, raised_at: instant(open.raised_at) }).toEqual({
      alert_id: id(100),
      deployment_id: DEPLOYMENT,
      model: 'credit-risk',
      environment: 'production',
      severity: 'high',
      kind: 'drift',
      summary: 'drift threshold breached on credit-risk 1.1.0 in production',
      cause_event_id: signal.id,
      status: 'open',
      raised_by: 'attest',
      raised_at: at(45),
      raised_event_id: raise.id,
      resolution: null,
      resolved_by: null,
      resolved_at: null,
      resolved_event_id: null,
      last_revision: raise.revision.toString(),
    });

    const [resolve] = await spec.given([resolved(id(100))], { keep: true });
    const [closed] = await alerts();
    expect({ ...closed, resolved_at: instant(closed.resolved_at) }).toMatchObject({
      status: 'resolved',
      resolution: 'rolled back to 1.0.0',
      resolved_by: 'on-call',
      resolved_at: at(50),
      resolved_event_id: resolve.id,
      last_revision: resolve.revision.toString(),
      raised_event_id: raise.id,
    });
  });

  it('raises and resolves alerts within one page, an operational one without a cause', async () => {
    await spec.given([
      raised(id(101), null, { kind: 'operational' }),
      raised(id(102), null, { kind: 'performance' }),
      resolved(id(101), 'scoring service restarted'),
      raised(id(103), null),
    ]);
    expect(
      (await alerts()).map((row) => [row.alert_id, row.kind, row.status, row.resolution]),
    ).toEqual([
      [id(101), 'operational', 'resolved', 'scoring service restarted'],
      [id(102), 'performance', 'open', null],
      [id(103), 'drift', 'open', null],
    ]);
  });

  it('ignores the resolution of an alert it has not seen raised', async () => {
    await spec.given([resolved(id(104))]);
    expect(await alerts()).toEqual([]);
  });

  it('changes nothing when events are delivered again, a raise after its resolution included', async () => {
    const recorded = await spec.given([
      drift(id(7)),
      raised(id(105), null),
      degraded(id(8)),
      resolved(id(105)),
    ]);
    const before = await spec.snapshot();
    await spec.apply(recorded);
    await spec.apply([recorded[1]]);
    await spec.apply(recorded, { pageSize: 1 });
    expect(await spec.snapshot()).toEqual(before);
    expect((await alerts())[0].status).toBe('resolved');
  });

  it('ends with the same rows rebuilt as applied live, in pages of any size', async () => {
    await spec.expectRebuildEqualsLive([
      drift(id(9), { feature: 'income', value: 0.05, minute: 10 }),
      drift(id(10), { feature: 'age', value: 0.25, minute: 10 }),
      raised(id(106), null, { minute: 11 }),
      degraded(id(11), 0.72, 12),
      degraded(id(12), 0.61, 13),
      raised(id(107), null, { kind: 'performance', minute: 14 }),
      resolved(id(106), 'feature pipeline fixed', 15),
      drift(id(13), { feature: 'tenure', value: 0.4, minute: 16 }),
      resolved(id(107), 'rolled back to 1.0.0', 17),
      raised(id(108), null, { kind: 'operational', minute: 18 }),
    ]);
  });
});
