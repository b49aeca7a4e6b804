import {
  APPROVAL_1,
  APPROVAL_2,
  APPROVAL_3,
  deployed,
  promoted,
  retired,
  rolledBack,
} from '../../../../tests/support/deployment-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { ServingPeriodsProjection } from './serving-periods.projection';

/** When the ledger recorded it: periods are dated by the event's occurredAt. */
const dayOf = (day: number) => new Date(Date.UTC(2026, 4, day, 8)).toISOString();
const on = <E>(event: E, day: number) => ({ ...event, recordedAt: dayOf(day) });

type Period = {
  opened_revision: string;
  version: string;
  started_as: string;
  served_from: string;
  full_from: string | null;
  approval_id: string | null;
  start_event_id: string;
  start_event_type: string;
  served_to: string | null;
  closed_revision: string | null;
  end_event_id: string | null;
  end_event_type: string | null;
};

describe('ServingPeriodsProjection', () => {
  let spec: ProjectionSpec<ServingPeriodsProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(ServingPeriodsProjection);
  });
  afterAll(() => spec?.close());

  const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
  const periods = async (deploymentId: string): Promise<Period[]> => {
    const rows = await spec.rows<Period & { model: string; environment: string }>(
      `SELECT opened_revision::text AS opened_revision, model, environment, version, started_as,
         to_json(served_from) #>> '{}' AS served_from, to_json(full_from) #>> '{}' AS full_from,
         approval_id, start_event_id::text AS start_event_id, start_event_type,
         to_json(served_to) #>> '{}' AS served_to, closed_revision::text AS closed_revision,
         end_event_id::text AS end_event_id, end_event_type
       FROM compliance_serving_periods p WHERE deployment_id = $1 ORDER BY p.opened_revision`,
      [deploymentId],
    );
    return rows.map(({ model: _model, environment: _environment, ...row }) => ({
      ...row,
      served_from: iso(row.served_from) as string,
      full_from: iso(row.full_from),
      served_to: iso(row.served_to),
    }));
  };
  /** Each period as [version, started as, from, full from, to] with days of May. */
  const spans = async (deploymentId: string) =>
    (await periods(deploymentId)).map((p) => [
      p.version,
      p.started_as,
      new Date(p.served_from).getUTCDate(),
      p.full_from && new Date(p.full_from).getUTCDate(),
      p.served_to && new Date(p.served_to).getUTCDate(),
    ]);
  const slot = async (deploymentId: string) =>
    (
      await spec.rows<{ last_revision: string }>(
        'SELECT last_revision::text AS last_revision FROM compliance_serving_slots WHERE deployment_id = $1',
        [deploymentId],
      )
    )[0]?.last_revision;

  it('derives its event types from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DeploymentPromoted',
      'DeploymentRetired',
      'DeploymentRolledBack',
      'ModelDeployed',
    ]);
  });

  it('opens a period with a rollout and closes it with the next', async () => {
    const [first, second] = await spec.given([
      on(deployed('credit-risk.production', '1.0.0', { approvalId: APPROVAL_1 }), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          approvalId: APPROVAL_2,
        }),
        5,
      ),
    ]);
    expect(await periods('credit-risk.production')).toEqual([
      {
        opened_revision: first.revision.toString(),
        version: '1.0.0',
        started_as: 'full',
        served_from: dayOf(1),
        full_from: dayOf(1),
        approval_id: APPROVAL_1,
        start_event_id: first.id,
        start_event_type: 'ModelDeployed',
        served_to: dayOf(5),
        closed_revision: second.revision.toString(),
        end_event_id: second.id,
        end_event_type: 'ModelDeployed',
      },
      {
        opened_revision: second.revision.toString(),
        version: '1.1.0',
        started_as: 'full',
        served_from: dayOf(5),
        full_from: dayOf(5),
        approval_id: APPROVAL_2,
        start_event_id: second.id,
        start_event_type: 'ModelDeployed',
        served_to: null,
        closed_revision: null,
        end_event_id: null,
        end_event_type: null,
      },
    ]);
    expect(await slot('credit-risk.production')).toBe(second.revision.toString());
    const [row] = await spec.rows(
      `SELECT model, environment FROM compliance_serving_periods WHERE deployment_id = $1 LIMIT 1`,
      ['credit-risk.production'],
    );
    expect(row).toEqual({ model: 'credit-risk', environment: 'production' });
  });

  it('serves a canary beside the stable version; promoted, it takes all traffic', async () => {
    const recorded = await spec.given([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 10,
          approvalId: APPROVAL_2,
        }),
        3,
      ),
      on(promoted('credit-risk.production', '1.1.0', '1.0.0'), 6),
    ]);
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, 6],
      ['1.1.0', 'canary', 3, 6, null],
    ]);
    const [, canary] = await periods('credit-risk.production');
    expect(canary).toMatchObject({ approval_id: APPROVAL_2, start_event_id: recorded[1].id });
    expect((await periods('credit-risk.production'))[0]).toMatchObject({
      end_event_type: 'DeploymentPromoted',
      end_event_id: recorded[2].id,
    });
  });

  it('drops a canary on rollback, the stable version serving on', async () => {
    await spec.given([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 10,
          approvalId: APPROVAL_2,
        }),
        3,
      ),
      on(rolledBack('credit-risk.production', '1.1.0', '1.0.0', { automatic: true }), 4),
    ]);
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, null],
      ['1.1.0', 'canary', 3, null, 4],
    ]);
    expect((await periods('credit-risk.production'))[1].end_event_type).toBe(
      'DeploymentRolledBack',
    );
  });

  it('reopens a version rolled back to, with the approval of its earlier period', async () => {
    // The earlier period is stored by an earlier page…
    await spec.given([
      on(deployed('credit-risk.production', '1.0.0', { approvalId: APPROVAL_1 }), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          approvalId: APPROVAL_2,
        }),
        2,
      ),
    ]);
    await spec.given([on(rolledBack('credit-risk.production', '1.1.0', '1.0.0'), 3)], {
      keep: true,
    });
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, 2],
      ['1.1.0', 'full', 2, 2, 3],
      ['1.0.0', 'full', 3, 3, null],
    ]);
    expect((await periods('credit-risk.production'))[2]).toMatchObject({
      approval_id: APPROVAL_1,
      start_event_type: 'DeploymentRolledBack',
    });

    // …or by the same page, the newest rollout of the version counting.
    await spec.given([
      on(deployed('fraud.production', '2.0.0', { approvalId: APPROVAL_1 }), 1),
      on(deployed('fraud.production', '2.1.0', { previousVersion: '2.0.0', approvalId: null }), 2),
      on(
        deployed('fraud.production', '2.0.0', { previousVersion: '2.1.0', approvalId: APPROVAL_3 }),
        3,
      ),
      on(
        deployed('fraud.production', '2.2.0', { previousVersion: '2.0.0', approvalId: APPROVAL_2 }),
        4,
      ),
      on(rolledBack('fraud.production', '2.2.0', '2.0.0'), 5),
    ]);
    const fraud = await periods('fraud.production');
    expect(fraud.map((p) => [p.version, p.approval_id])).toEqual([
      ['2.0.0', APPROVAL_1],
      ['2.1.0', null],
      ['2.0.0', APPROVAL_3],
      ['2.2.0', APPROVAL_2],
      ['2.0.0', APPROVAL_3],
    ]);
  });

  it('closes every period when rolled back to nothing or retired', async () => {
    await spec.given([
      on(deployed('credit-risk.staging', '0.9.0'), 1),
      on(rolledBack('credit-risk.staging', '0.9.0', null), 2),
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 30,
          approvalId: APPROVAL_2,
        }),
        2,
      ),
      on(retired('credit-risk.production', '1.0.0'), 7),
    ]);
    expect(await spans('credit-risk.staging')).toEqual([['0.9.0', 'full', 1, 1, 2]]);
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, 7],
      ['1.1.0', 'canary', 2, null, 7],
    ]);
    const ends = (await periods('credit-risk.production')).map((p) => p.end_event_type);
    expect(ends).toEqual(['DeploymentRetired', 'DeploymentRetired']);
  });

  it('opens, promotes and closes a period within one page', async () => {
    await spec.given([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 10,
          approvalId: APPROVAL_2,
        }),
        2,
      ),
      on(promoted('credit-risk.production', '1.1.0', '1.0.0'), 3),
      on(
        deployed('credit-risk.production', '1.2.0', {
          previousVersion: '1.1.0',
          approvalId: APPROVAL_3,
        }),
        4,
      ),
    ]);
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, 3],
      ['1.1.0', 'canary', 2, 3, 4],
      ['1.2.0', 'full', 4, 4, null],
    ]);
  });

  it('promotes and closes a period an earlier page stored', async () => {
    await spec.given([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 10,
          approvalId: APPROVAL_2,
        }),
        2,
      ),
    ]);
    await spec.given(
      [
        on(promoted('credit-risk.production', '1.1.0', '1.0.0'), 3),
        on(
          deployed('credit-risk.production', '1.2.0', {
            previousVersion: '1.1.0',
            approvalId: APPROVAL_3,
          }),
          4,
        ),
      ],
      { keep: true },
    );
    expect(await spans('credit-risk.production')).toEqual([
      ['1.0.0', 'full', 1, 1, 3],
      ['1.1.0', 'canary', 2, 3, 4],
      ['1.2.0', 'full', 4, 4, null],
    ]);
  });

  it('applies each event once: a redelivered or older event changes nothing', async () => {
    const recorded = await spec.given([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 10,
          approvalId: APPROVAL_2,
        }),
        2,
      ),
      on(rolledBack('credit-risk.production', '1.1.0', '1.0.0'), 3),
    ]);
    const before = await spec.snapshot();
    await spec.apply(recorded);
    await spec.apply([recorded[1]]);
    await spec.apply(recorded, { pageSize: 1 });
    expect(await spec.snapshot()).toEqual(before);
  });

  it('ends with the same rows rebuilt as applied live, in pages of any size', async () => {
    await spec.expectRebuildEqualsLive([
      on(deployed('credit-risk.production', '1.0.0'), 1),
      on(deployed('fraud.staging', '2.0.0', { approvalId: null }), 1),
      on(
        deployed('credit-risk.production', '1.1.0', {
          previousVersion: '1.0.0',
          canaryPercent: 20,
          approvalId: APPROVAL_2,
        }),
        2,
      ),
      on(deployed('fraud.staging', '2.1.0', { previousVersion: '2.0.0', approvalId: null }), 3),
      on(promoted('credit-risk.production', '1.1.0', '1.0.0'), 4),
      on(rolledBack('fraud.staging', '2.1.0', '2.0.0'), 5),
      on(
        deployed('credit-risk.production', '1.2.0', {
          previousVersion: '1.1.0',
          approvalId: APPROVAL_3,
        }),
        6,
      ),
      on(rolledBack('credit-risk.production', '1.2.0', '1.1.0', { automatic: true }), 7),
      on(rolledBack('fraud.staging', '2.0.0', null), 8),
      on(deployed('fraud.staging', '2.2.0', { approvalId: APPROVAL_1 }), 9),
      on(
        deployed('fraud.staging', '2.3.0', {
          previousVersion: '2.2.0',
          canaryPercent: 5,
          approvalId: APPROVAL_2,
        }),
        10,
      ),
      on(promoted('fraud.staging', '2.3.0', '2.2.0'), 11),
      on(retired('credit-risk.production', '1.1.0'), 12),
    ]);
  });
});
