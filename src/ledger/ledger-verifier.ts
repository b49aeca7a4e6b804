import { GENESIS_HASH, eventHash } from './hash-chain';
import type { EventLog, LedgerPosition, RecordedEvent } from './event-log.port';

export type MismatchReason = 'hash-mismatch' | 'broken-link' | 'revision-gap';

export interface ChainMismatch {
  stream: string;
  revision: number;
  id: string;
  position: LedgerPosition;
  reason: MismatchReason;
  expected: string;
  actual: string;
}

/**
 * What the chains' check found, with `tree`: the result of another check run over the same
 * events (the integrity capability's tree check; the ledger knows only that it says `ok`).
 */
export interface VerificationReport<Tree extends { ok: boolean } = { ok: boolean }> {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  /** The first event, in ledger order, whose stored hash or link does not match. */
  firstMismatch: ChainMismatch | null;
  mismatchCount: number;
  verifiedThrough: LedgerPosition | null;
  /** The integrity tree checked against the same events, when it was asked for. */
  tree?: Tree;
}

/** Checks something else against each event as the chains are verified (the integrity tree). */
export interface EventObserver<R> {
  observe(event: RecordedEvent): Promise<void>;
  finish(): Promise<R>;
}

const PAGE = 1000;

/** Recomputes every stream's hash chain from the stored events (docs/design.md §3). */
export async function verifyLedger<Tree extends { ok: boolean } = { ok: boolean }>(
  eventLog: EventLog,
  onProgress?: (eventsChecked: number) => void,
  tree?: EventObserver<Tree>,
): Promise<VerificationReport<Tree>> {
  const heads = new Map<string, { revision: bigint; hash: string }>();
  let eventsChecked = 0;
  let firstMismatch: ChainMismatch | null = null;
  let mismatchCount = 0;
  let from: LedgerPosition | undefined;
  for (;;) {
    const page = await eventLog.readAll({ from, maxCount: PAGE });
    for (const event of page) {
      const mismatch = check(event, heads.get(event.stream));
      if (mismatch) {
        mismatchCount += 1;
        firstMismatch ??= mismatch;
      }
      heads.set(event.stream, { revision: event.revision, hash: event.metadata.integrity.hash });
      await tree?.observe(event);
      eventsChecked += 1;
    }
    if (page.length > 0) from = page[page.length - 1].position;
    onProgress?.(eventsChecked);
    if (page.length < PAGE) break;
  }
  const treeReport = tree ? await tree.finish() : undefined;
  return {
    ok: mismatchCount === 0 && (treeReport?.ok ?? true),
    eventsChecked,
    streamsChecked: heads.size,
    firstMismatch,
    mismatchCount,
    verifiedThrough: from ?? null,
    ...(treeReport ? { tree: treeReport } : {}),
  };
}

function check(
  event: RecordedEvent,
  previous: { revision: bigint; hash: string } | undefined,
): ChainMismatch | null {
  const { integrity, ...metadata } = event.metadata;
  const at = {
    stream: event.stream,
    revision: Number(event.revision),
    id: event.id,
    position: event.position,
  };
  const expectedRevision = previous ? previous.revision + 1n : 0n;
  if (event.revision !== expectedRevision) {
    return {
      ...at,
      reason: 'revision-gap',
      expected: expectedRevision.toString(),
      actual: event.revision.toString(),
    };
  }
  const expectedLink = previous ? previous.hash : GENESIS_HASH;
  if (integrity.prevHash !== expectedLink) {
    return { ...at, reason: 'broken-link', expected: expectedLink, actual: integrity.prevHash };
  }
  const recomputed = eventHash({
    stream: event.stream,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    prevHash: integrity.prevHash,
  });
  if (recomputed !== integrity.hash) {
    return { ...at, reason: 'hash-mismatch', expected: recomputed, actual: integrity.hash };
  }
  return null;
}
