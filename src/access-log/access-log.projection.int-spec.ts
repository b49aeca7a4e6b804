import {
  mixedLedger,
  personalDataAccessed,
  regulatorAccessed,
  statementsToApply,
} from '../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../tests/support/projection-spec';
import { AccessLogProjection } from './access-log.projection';

describe('access-log projection', () => {
  let spec: ProjectionSpec<AccessLogProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(AccessLogProjection);
  }, 120_000);
  afterAll(() => spec?.close());

  const rows = () =>
    spec.rows(
      `SELECT event_id, kind, actor_sub, actor_roles, method, url, status, resource_kind,
              resource_ids, correlation_id, accessed_at
         FROM access_log ORDER BY accessed_at, event_id`,
    );

  it('handles regulator requests and personal data shown, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'PersonalDataAccessed',
      'RegulatorAccessed',
    ]);
  });

  it('records a row per access, of either kind, interleaved in one page', async () => {
    const recorded = await spec.given([
      regulatorAccessed('regulator-1', '/api/v1/models/credit?asOf=2026-03-01', 404),
      personalDataAccessed('dana', 'dataset-version', ['loans@2026-01', 'loans@2026-02']),
      personalDataAccessed('dana', 'deletion-request', []),
      regulatorAccessed('regulator-1', '/api/v1/ledger'),
    ]);
    const byId = new Map((await rows()).map((row) => [row.event_id, row]));
    expect(recorded.map((event) => byId.get(event.id))).toEqual([
      {
        event_id: recorded[0].id,
        kind: 'regulator-request',
        actor_sub: 'regulator-1',
        actor_roles: ['regulator'],
        method: 'GET',
        url: '/api/v1/models/credit?asOf=2026-03-01',
        status: 404,
        resource_kind: null,
        resource_ids: null,
        correlation_id: recorded[0].metadata.correlationId,
        accessed_at: new Date(recorded[0].data.accessedAt as string),
      },
      {
        event_id: recorded[1].id,
        kind: 'personal-data',
        actor_sub: 'dana',
        actor_roles: ['data-scientist', 'auditor'],
        method: null,
        url: '/api/v1/dataset-versions/loans@2026-01',
        status: null,
        resource_kind: 'dataset-version',
        resource_ids: ['loans@2026-01', 'loans@2026-02'],
        correlation_id: recorded[1].metadata.correlationId,
        accessed_at: new Date(recorded[1].data.accessedAt as string),
      },
      expect.objectContaining({ kind: 'personal-data', resource_ids: [] }),
      expect.objectContaining({ kind: 'regulator-request', status: 200 }),
    ]);
  });

  it('changes nothing when a page is applied again', async () => {
    const recorded = await spec.given(mixedLedger(80), { pageSize: 30 });
    const before = await spec.snapshot();
    await spec.apply(recorded.slice(20, 50));
    await spec.apply(recorded);
    expect(await spec.snapshot()).toEqual(before);
  });

  it('holds the same rows rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive(mixedLedger(150));
  });

  it('writes a page in one statement, however its kinds interleave', async () => {
    await spec.truncate();
    const recorded = spec.record(mixedLedger(1000));
    expect(await statementsToApply(spec, recorded, null)).toBe(1);
  });
});
