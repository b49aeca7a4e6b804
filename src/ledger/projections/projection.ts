import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '../commands/decider';
import type { LedgerPosition, RecordedEvent } from '../event-log.port';

/**
 * What a projection's page handler gets besides its events: the page's transaction (which also
 * moves the projection's checkpoint), and where the page starts and ends.
 */
export interface ProjectionContext {
  /** The page's transaction: every statement of the page commits with the checkpoint, or none does. */
  readonly manager: EntityManager;
  /** The projection's checkpoint before this page (null: nothing applied yet). */
  readonly from: LedgerPosition | null;
  /** The checkpoint this page moves it to. */
  readonly to: LedgerPosition;
  /** True while the projection is being rebuilt from an empty state. */
  readonly rebuilding: boolean;
}

/** A recorded event whose `type` and `data` are those of one domain event type. */
export type Recorded<E extends DomainEvent = DomainEvent> = Omit<RecordedEvent, 'type' | 'data'> & {
  readonly type: E['type'];
  readonly data: E['data'];
};

/**
 * Handles a run of consecutive events of one type from a page, in ledger order; `page` is what
 * the projection's `openPage` made for this page (rows gathered to be written at its end).
 */
export type PageHandler<E extends DomainEvent, P = void> = (
  events: readonly Recorded<E>[],
  context: ProjectionContext,
  page: P,
) => Promise<void> | void;

/** One handler per event type the projection reads; the event types are derived from its keys. */
export type Handlers<E extends DomainEvent, P = void> = {
  readonly [K in E['type']]?: PageHandler<Extract<E, { type: K }>, P>;
};

/**
 * A read-model projection as the runner sees it: it applies a page of events (only the types it
 * handles, in ledger order) inside the page's transaction, together with its checkpoint. It must
 * be deterministic: a rebuild from zero ends with the same rows as applying live, page by page.
 */
export interface Projection {
  readonly name: string;
  /** The event types it handles (omitted: every event); any other event only moves its checkpoint. */
  readonly eventTypes?: readonly string[];
  /** Tables it owns, emptied when it is rebuilt. */
  readonly tables: readonly string[];
  applyPage(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void>;
}

/**
 * The one shape of a projection (README, "Projections"): a name, its tables and a handler per
 * event type. A page is split into runs of consecutive events of one type, each handed to its
 * handler whole, so a handler can write a run with a few multi-row statements.
 *
 * ```ts
 * @Injectable() @ReadModelProjection()
 * export class DatasetVersionsProjection extends DeclaredProjection<DatasetEvent> {
 *   readonly name = 'dataset-versions';
 *   readonly tables = ['dataset_versions'];
 *   protected readonly handlers: Handlers<DatasetEvent> = {
 *     DatasetVersionRegistered: (events, { manager }) => insertVersions(manager, events),
 *   };
 * }
 * ```
 */
export abstract class DeclaredProjection<E extends DomainEvent, P = void> implements Projection {
  abstract readonly name: string;
  abstract readonly tables: readonly string[];
  protected abstract readonly handlers: Handlers<E, P>;

  get eventTypes(): readonly string[] {
    return Object.keys(this.handlers);
  }

  /**
   * What this page's handlers share, made before the first of them runs (rows they gather, the
   * rows of the page's aggregates read once): none unless a projection overrides it.
   */
  protected openPage(
    _events: readonly RecordedEvent[],
    _context: ProjectionContext,
  ): P | Promise<P> {
    return undefined as P;
  }

  /** Writes what the page's handlers gathered, in the page's transaction, after the last of them. */
  protected closePage(_page: P, _context: ProjectionContext): Promise<void> {
    return Promise.resolve();
  }

  async applyPage(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
    const handlers = this.handlers as Record<string, PageHandler<E, P> | undefined>;
    const page = await this.openPage(events, context);
    let start = 0;
    while (start < events.length) {
      const type = events[start].type;
      let end = start + 1;
      while (end < events.length && events[end].type === type) end++;
      const handler = handlers[type];
      // The runner hands only the types of eventTypes; a stray one moves the checkpoint only.
      if (handler) {
        await handler(events.slice(start, end) as unknown as Recorded<E>[], context, page);
      }
      start = end;
    }
    await this.closePage(page, context);
  }
}

/** Marks a provider as a projection for the runner to find. */
export const ReadModelProjection = DiscoveryService.createDecorator<void>();
