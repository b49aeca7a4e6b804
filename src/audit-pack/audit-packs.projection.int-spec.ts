import {
  type GivenEvent,
  type ProjectionSpec,
  projectionSpec,
} from '../../tests/support/projection-spec';
import type { AuditPackIssued } from './audit-pack.events';
import { AuditPacksProjection } from './audit-packs.projection';

const PACK_1 = '0190f1a2-0000-7000-8000-000000000001';
const PACK_2 = '0190f1a2-0000-7000-8000-000000000002';
const PACK_3 = '0190f1a2-0000-7000-8000-000000000003';

/** An AuditPackIssued as the service records it, in the model's audit-pack stream. */
function issued(
  packId: string,
  overrides: Partial<AuditPackIssued['data']> = {},
): GivenEvent & AuditPackIssued {
  const data: AuditPackIssued['data'] = {
    packId,
    model: 'credit-risk',
    version: '1.4.0',
    sha256: packId.replace(/-/g, '').padEnd(64, 'a'),
    bytes: 181_234,
    citedEvents: 42,
    treeSize: 1_024,
    issuedBy: 'carol-compliance',
    issuedAt: '2026-03-01T09:30:00.000Z',
    ...overrides,
  };
  return { type: 'AuditPackIssued', data, stream: `audit-pack-${data.model}` };
}

type PackRow = {
  pack_id: string;
  event_id: string;
  model: string;
  version: string;
  sha256: string;
  bytes: string;
  cited_events: number;
  tree_size: string;
  issued_by: string;
  issued_at: string;
};

describe('AuditPacksProjection', () => {
  let spec: ProjectionSpec<AuditPacksProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(AuditPacksProjection);
  });
  afterAll(() => spec?.close());

  const packs = () =>
    spec.rows<PackRow>(
      `SELECT pack_id::text AS pack_id, event_id::text AS event_id, model, version, sha256,
         bytes::text AS bytes, cited_events, tree_size::text AS tree_size, issued_by,
         to_json(issued_at) #>> '{}' AS issued_at
       FROM audit_packs ORDER BY issued_at, pack_id`,
    );

  it('derives its event types from its handlers', () => {
    expect(spec.projection.eventTypes).toEqual(['AuditPackIssued']);
    expect(spec.projection.tables).toEqual(['audit_packs']);
  });

  it('holds one row per pack handed out, with the event that records it', async () => {
    const [first, second] = await spec.given([
      issued(PACK_1),
      issued(PACK_2, {
        model: 'limits',
        version: '2.0.0',
        bytes: 99,
        citedEvents: 7,
        treeSize: 3_000_000_000,
        issuedBy: 'rita-regulator',
        issuedAt: '2026-03-02T10:00:00.000Z',
      }),
    ]);
    expect(await packs()).toEqual([
      {
        pack_id: PACK_1,
        event_id: first.id,
        model: 'credit-risk',
        version: '1.4.0',
        sha256: first.data.sha256,
        bytes: '181234',
        cited_events: 42,
        tree_size: '1024',
        issued_by: 'carol-compliance',
        issued_at: '2026-03-01T09:30:00+00:00',
      },
      {
        pack_id: PACK_2,
        event_id: second.id,
        model: 'limits',
        version: '2.0.0',
        sha256: second.data.sha256,
        bytes: '99',
        cited_events: 7,
        tree_size: '3000000000',
        issued_by: 'rita-regulator',
        issued_at: '2026-03-02T10:00:00+00:00',
      },
    ]);
  });

  it('changes nothing when a page is delivered again', async () => {
    const recorded = await spec.given([issued(PACK_1), issued(PACK_2)]);
    const before = await spec.snapshot();
    await spec.apply(recorded, { pageSize: 1 });
    await spec.apply(recorded.slice(1));
    expect(await spec.snapshot()).toEqual(before);
    expect(await packs()).toHaveLength(2);
  });

  it('adds the packs of a later page to those already held', async () => {
    await spec.given([issued(PACK_1)]);
    await spec.given([issued(PACK_3, { issuedAt: '2026-03-05T00:00:00.000Z' })], { keep: true });
    expect((await packs()).map((row) => row.pack_id)).toEqual([PACK_1, PACK_3]);
  });

  it('builds the same rows rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive([
      issued(PACK_1),
      issued(PACK_2, { model: 'limits', issuedAt: '2026-03-02T00:00:00.000Z' }),
      issued(PACK_3, { version: '1.5.0', issuedAt: '2026-03-03T00:00:00.000Z' }),
    ]);
  });
});
