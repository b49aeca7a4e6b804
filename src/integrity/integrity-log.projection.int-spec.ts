import {
  checkpointSigned,
  mixedLedger,
  regulatorAccessed,
  statementsToApply,
} from '../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../tests/support/projection-spec';
import type { RecordedEvent } from '../ledger/event-log.port';
import type { Projection } from '../ledger/projections/projection';
import { IntegrityLogProjection } from './integrity-log.projection';
import { IntegrityTree } from './integrity-tree';
import { type Hash, leafHash, nodeHash, splitPoint, verifyInclusion } from './merkle';

/** RFC 9162 MTH computed the naive way, straight from the leaves. */
const mth = (leaves: readonly Hash[]): Hash => {
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
};
const leavesOf = (events: readonly RecordedEvent[]) =>
  events.map((event) => leafHash(Buffer.from(event.metadata.integrity.hash, 'hex')));

describe('integrity-log projection', () => {
  let spec: ProjectionSpec<IntegrityLogProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(IntegrityLogProjection);
  }, 120_000);
  afterAll(() => spec?.close());

  const tree = () => new IntegrityTree(spec.dataSource);
  const subtreeCount = async () =>
    Number((await spec.rows<{ n: string }>('SELECT count(*) AS n FROM integrity_subtrees'))[0].n);

  it('takes every event, whatever its type', () => {
    const projection: Projection = spec.projection;
    expect(projection.eventTypes).toBeUndefined();
  });

  it('makes every event the next leaf, in ledger order, with the event’s columns', async () => {
    const recorded = await spec.given(mixedLedger(13), { pageSize: [5, 1, 7] });
    const rows = await spec.rows<Record<string, unknown>>(
      `SELECT leaf_index::int AS leaf, event_id, event_type, stream, revision::int AS revision,
              position, event_hash, occurred_at FROM integrity_leaves ORDER BY leaf_index`,
    );
    expect(rows).toEqual(
      recorded.map((event, leaf) => ({
        leaf,
        event_id: event.id,
        event_type: event.type,
        stream: event.stream,
        revision: Number(event.revision),
        position: event.position,
        event_hash: event.metadata.integrity.hash,
        occurred_at: new Date(event.metadata.occurredAt),
      })),
    );
  });

  it('stores exactly the complete subtrees, so every root and proof is the RFC 9162 one', async () => {
    // 37 leaves in pages of uneven sizes: pages start and end inside subtrees of every level.
    const recorded = await spec.given(mixedLedger(37), { pageSize: [3, 8, 1, 11, 6] });
    const leaves = leavesOf(recorded);
    let expected = 0;
    for (let level = 0; 2 ** level <= 37; level++) expected += Math.floor(37 / 2 ** level);
    expect(await subtreeCount()).toBe(expected);
    for (const size of [1, 2, 3, 8, 21, 32, 36, 37])
      expect((await tree().root(size)).equals(mth(leaves.slice(0, size)))).toBe(true);
    const root = mth(leaves);
    for (const leaf of [0, 17, 31, 36]) {
      const proof = await tree().inclusionProof(leaf, 37);
      expect(verifyInclusion(leaf, 37, leaves[leaf], proof, root)).toBe(true);
    }
  });

  it('builds the same tree rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive(mixedLedger(70));
  });

  it('appends nothing when a page is applied again', async () => {
    const recorded = await spec.given(mixedLedger(20), { pageSize: 8 });
    const before = await spec.snapshot();
    await spec.apply(recorded.slice(8, 16));
    await spec.apply(recorded);
    expect(await spec.snapshot()).toEqual(before);
  });

  it('writes a page in one statement, reading the frontier only when it cannot trust its own', async () => {
    await spec.truncate();
    const recorded = spec.record(mixedLedger(3000));
    const [a, b, c] = [recorded.slice(0, 1000), recorded.slice(1000, 2000), recorded.slice(2000)];
    // The first page after start reads the tree's size and frontier, then writes.
    expect(await statementsToApply(spec, a, null)).toBe(2);
    // The next one starts where the frontier was computed: one statement.
    expect(await statementsToApply(spec, b, a[a.length - 1].position)).toBe(1);
    expect(await statementsToApply(spec, c, b[b.length - 1].position)).toBe(1);
    const leaves = leavesOf(recorded);
    expect((await tree().root(3000)).equals(mth(leaves))).toBe(true);
  });

  it('reads the frontier again after a page that was rolled back', async () => {
    await spec.truncate();
    const recorded = spec.record(mixedLedger(40));
    const [first, second] = [recorded.slice(0, 21), recorded.slice(21)];
    await spec.apply(first);
    const from = first[first.length - 1].position;
    const to = second[second.length - 1].position;
    await expect(
      spec.dataSource.transaction(async (manager) => {
        await spec.projection.applyPage(second, { manager, from, to, rebuilding: false });
        throw new Error('the checkpoint could not move');
      }),
    ).rejects.toThrow('the checkpoint could not move');
    // Applied again from the same checkpoint: the frontier of the rolled-back page is not used.
    expect(await statementsToApply(spec, second, from)).toBe(2);
    expect((await tree().root(40)).equals(mth(leavesOf(recorded)))).toBe(true);
  });

  it('reads the frontier again when another process moved the checkpoint', async () => {
    await spec.truncate();
    const other = new IntegrityLogProjection();
    const recorded = spec.record([
      ...mixedLedger(30),
      regulatorAccessed('regulator', '/api/v1/ledger'),
      checkpointSigned(30),
    ]);
    const pages = [recorded.slice(0, 9), recorded.slice(9, 25), recorded.slice(25)];
    const end = (page: readonly RecordedEvent[]) => page[page.length - 1].position;
    await statementsToApply(spec, pages[0], null);
    // Another process applies the next page: this one's frontier is left behind.
    await spec.dataSource.transaction((manager) =>
      other.applyPage(pages[1], {
        manager,
        from: end(pages[0]),
        to: end(pages[1]),
        rebuilding: false,
      }),
    );
    expect(await statementsToApply(spec, pages[2], end(pages[1]))).toBe(2);
    expect((await tree().root(32)).equals(mth(leavesOf(recorded)))).toBe(true);
  });

  it('refuses a page whose leaves are stored already behind its frontier, writing nothing', async () => {
    await spec.truncate();
    const other = new IntegrityLogProjection();
    const recorded = spec.record(mixedLedger(20));
    const [first, second] = [recorded.slice(0, 10), recorded.slice(10)];
    const from = first[first.length - 1].position;
    const to = second[second.length - 1].position;
    await statementsToApply(spec, first, null);
    await spec.dataSource.transaction((manager) =>
      other.applyPage(second, { manager, from, to, rebuilding: false }),
    );
    const before = await spec.snapshot();
    // As if the checkpoint were still at `from`: the frontier is trusted, the store disagrees.
    await expect(statementsToApply(spec, second, from)).rejects.toThrow(
      'integrity log: 10 of 10 leaves were stored already',
    );
    expect(await spec.snapshot()).toEqual(before);
    // Tried again, the frontier is read from the store and the page changes nothing.
    await statementsToApply(spec, second, from);
    expect(await spec.snapshot()).toEqual(before);
    expect((await tree().root(20)).equals(mth(leavesOf(recorded)))).toBe(true);
  });
});
