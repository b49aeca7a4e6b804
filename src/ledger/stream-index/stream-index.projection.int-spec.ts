import {
  checkpointSigned,
  mixedLedger,
  regulatorAccessed,
  statementsToApply,
} from '../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../tests/support/projection-spec';
import type { Projection } from '../projections/projection';
import { StreamIndexProjection } from './stream-index.projection';

type Row = {
  stream: string;
  event_count: string;
  last_revision: string;
  last_event_id: string;
  last_event_type: string;
  last_hash: string;
  last_position: string;
  last_recorded_at: Date;
};

describe('stream-index projection', () => {
  let spec: ProjectionSpec<StreamIndexProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(StreamIndexProjection);
  }, 120_000);
  afterAll(() => spec?.close());

  const index = () => spec.rows<Row>('SELECT * FROM stream_index ORDER BY stream');

  it('takes every event, whatever its type', () => {
    const projection: Projection = spec.projection;
    expect(projection.eventTypes).toBeUndefined();
  });

  it('counts each stream’s events and keeps its newest, several streams in one page', async () => {
    const recorded = await spec.given([
      regulatorAccessed('alice', '/a'),
      regulatorAccessed('bob', '/b'),
      regulatorAccessed('alice', '/c'),
      checkpointSigned(3),
      regulatorAccessed('alice', '/d'),
    ]);
    const newest = recorded[4];
    expect(await index()).toEqual([
      {
        stream: 'access-log-alice',
        event_count: '3',
        last_revision: '2',
        last_event_id: newest.id,
        last_event_type: 'RegulatorAccessed',
        last_hash: newest.metadata.integrity.hash,
        last_position: newest.position,
        last_recorded_at: newest.recordedAt,
      },
      expect.objectContaining({ stream: 'access-log-bob', event_count: '1', last_revision: '0' }),
      expect.objectContaining({ stream: 'ledger-checkpoints', event_count: '1' }),
    ]);
  });

  it('adds a later page to what the stream holds', async () => {
    await spec.given([regulatorAccessed('carol', '/a'), regulatorAccessed('carol', '/b')]);
    const [third] = await spec.given([regulatorAccessed('carol', '/c')], { keep: true });
    expect(await index()).toEqual([
      expect.objectContaining({
        stream: 'access-log-carol',
        event_count: '3',
        last_revision: third.revision.toString(),
        last_event_id: third.id,
      }),
    ]);
  });

  it('counts nothing twice when a page, or part of one, is applied again', async () => {
    const recorded = await spec.given(mixedLedger(60), { pageSize: 20 });
    const before = await spec.snapshot();
    await spec.apply(recorded.slice(10, 30));
    await spec.apply(recorded);
    expect(await spec.snapshot()).toEqual(before);
    // A page overlapping the stored events counts only those past them.
    await spec.truncate();
    await spec.apply(recorded.slice(0, 30));
    await spec.apply(recorded.slice(20));
    expect(await spec.snapshot()).toEqual(before);
  });

  it('holds the same rows rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive(mixedLedger(120));
  });

  it('writes a page in one statement', async () => {
    await spec.truncate();
    const recorded = spec.record(mixedLedger(1000));
    expect(await statementsToApply(spec, recorded, null)).toBe(1);
  });
});
