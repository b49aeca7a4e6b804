import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EVENT_LOG, type EventLog, type RecordedEvent } from '../ledger/event-log.port';

/** What the ledger explorer filters on (README, "Console"); every field optional. */
export interface LedgerSearchFilter {
  stream?: string;
  type?: string;
  /** The actor's `sub`, as recorded in the event's metadata. */
  actor?: string;
  /** Events that occurred at or after this instant (metadata.occurredAt). */
  from?: Date;
  /** Events that occurred at or before this instant. */
  to?: Date;
  /** Time travel: only events that had occurred, and been recorded, by then. */
  asOf?: Date;
  /** Cursor (exclusive): only leaves before this index (the previous page's nextCursor). */
  before?: number;
}

export interface LedgerSearchHit {
  leafIndex: number;
  event: RecordedEvent;
}

export interface LedgerSearchPage {
  items: LedgerSearchHit[];
  /** The `before` of the next (older) page; null when nothing older can match. */
  nextCursor: number | null;
  /** Leaves looked at for this page (an actor filter reads events until the page fills). */
  scanned: number;
}

/** Newest first: the events of the ledger that match, a page at a time. */
export class SearchLedgerQuery extends Query<LedgerSearchPage> {
  constructor(
    readonly filter: LedgerSearchFilter,
    readonly limit: number,
  ) {
    super();
  }
}

/** The most leaves an actor filter reads for one page before handing back a cursor. */
export const ACTOR_SCAN_BUDGET = 5000;
const CHUNK = 500;

/**
 * Finds events through the integrity log's leaves (indexed by stream, and by type and time), then
 * reads exactly those events through the event log port: one query for the leaves and one read of
 * the events per chunk, whatever the size of the ledger. The actor is not in the leaves: with an
 * actor the chunks are filtered in memory, at most ACTOR_SCAN_BUDGET leaves per page.
 */
@QueryHandler(SearchLedgerQuery)
export class SearchLedgerQueryHandler implements IQueryHandler<
  SearchLedgerQuery,
  LedgerSearchPage
> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
  ) {}

  async execute({ filter, limit }: SearchLedgerQuery): Promise<LedgerSearchPage> {
    const items: LedgerSearchHit[] = [];
    let before = filter.before;
    let scanned = 0;
    const chunk = filter.actor === undefined ? limit : CHUNK;
    for (;;) {
      const leaves = await this.leaves(filter, before, chunk);
      scanned += leaves.length;
      const events = await this.eventLog.readEvents(
        leaves.map((leaf) => ({ stream: leaf.stream, revision: BigInt(leaf.revision) })),
      );
      const byId = new Map(events.map((event) => [event.id, event]));
      for (const leaf of leaves) {
        const event = byId.get(leaf.event_id);
        if (!event || !matches(event, filter)) continue;
        items.push({ leafIndex: Number(leaf.leaf_index), event });
        if (items.length === limit) {
          return { items, nextCursor: Number(leaf.leaf_index), scanned };
        }
      }
      if (leaves.length < chunk) return { items, nextCursor: null, scanned };
      before = Number(leaves[leaves.length - 1].leaf_index);
      if (scanned >= ACTOR_SCAN_BUDGET) return { items, nextCursor: before, scanned };
    }
  }

  private leaves(filter: LedgerSearchFilter, before: number | undefined, limit: number) {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      values.push(value);
      where.push(clause.replace('?', `$${values.length}`));
    };
    if (filter.stream !== undefined) add('stream = ?', filter.stream);
    if (filter.type !== undefined) add('event_type = ?', filter.type);
    if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('occurred_at <= ?', filter.to);
    if (filter.asOf !== undefined) add('occurred_at <= ?', filter.asOf);
    if (before !== undefined) add('leaf_index < ?', before);
    values.push(limit);
    return this.dataSource.query(
      `SELECT leaf_index, event_id, stream, revision FROM integrity_leaves
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY leaf_index DESC LIMIT $${values.length}`,
      values,
    ) as Promise<{ leaf_index: string; event_id: string; stream: string; revision: string }[]>;
  }
}

function matches(event: RecordedEvent, filter: LedgerSearchFilter): boolean {
  if (filter.actor !== undefined && event.metadata.actor?.sub !== filter.actor) return false;
  if (filter.asOf !== undefined && event.recordedAt > filter.asOf) return false;
  return true;
}
