import type { LedgerPosition, RecordedEvent, Subscription } from '../event-log.port';

/** A page of the ledger: the events a subscription delivered after `from`, up to and including `to`. */
export interface LedgerPage {
  kind: 'page';
  /** Where the page starts (exclusive); null: the very start of the ledger. */
  from: LedgerPosition | null;
  /** Everything up to here has been delivered (events the subscription's filter dropped included). */
  to: LedgerPosition;
  events: RecordedEvent[];
}

export type PageItem = LedgerPage | { kind: 'caughtUp'; position: LedgerPosition | undefined };

/**
 * Reads a subscription into pages (its checkpoints end them), each event turned once by `decode`,
 * and reads up to `ahead` pages in advance, so the next page is read while the current one is
 * applied. next() gives them in ledger order, consecutive pages read ahead merged into one of at
 * most `mergeUpTo` events (so a projection catching up applies fewer, larger pages, while a live
 * one gets each page at once); undefined once the subscription has ended or the reader is
 * closed; it rejects with the subscription's own failure.
 */
export class PageReader {
  private readonly queue: PageItem[] = [];
  private pages = 0;
  private done = false;
  private failure?: { error: unknown };
  private wakeConsumer?: () => void;
  private wakeProducer?: () => void;
  private readonly pumping: Promise<void>;

  constructor(
    private readonly subscription: Subscription,
    from: LedgerPosition | null,
    decode: (event: RecordedEvent) => RecordedEvent,
    private readonly ahead = 2,
    private readonly mergeUpTo = 0,
  ) {
    this.pumping = this.pump(from, decode);
  }

  async next(): Promise<PageItem | undefined> {
    while (this.queue.length === 0 && !this.done) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    const item = this.queue.shift();
    if (item) {
      if (item.kind === 'page') {
        this.pages--;
        while (this.mergeUpTo > 0 && this.queue[0]?.kind === 'page') {
          const following = this.queue[0];
          if (item.events.length + following.events.length > this.mergeUpTo) break;
          this.queue.shift();
          this.pages--;
          item.to = following.to;
          item.events = item.events.concat(following.events);
        }
      }
      this.wake('producer');
      return item;
    }
    if (this.failure) throw this.failure.error;
    return undefined;
  }

  async close(): Promise<void> {
    this.done = true;
    this.queue.length = 0;
    this.wake('producer');
    this.wake('consumer');
    await this.subscription.close().catch(() => undefined);
    await this.pumping;
  }

  private async pump(
    from: LedgerPosition | null,
    decode: (event: RecordedEvent) => RecordedEvent,
  ): Promise<void> {
    let events: RecordedEvent[] = [];
    let pageFrom = from;
    try {
      for await (const message of this.subscription) {
        if (this.done) break;
        if (message.kind === 'event') events.push(decode(message.event));
        else if (message.kind === 'checkpoint') {
          this.push({ kind: 'page', from: pageFrom, to: message.position, events });
          this.pages++;
          events = [];
          pageFrom = message.position;
          while (this.pages >= this.ahead && !this.done) {
            await new Promise<void>((resolve) => (this.wakeProducer = resolve));
          }
        } else this.push({ kind: 'caughtUp', position: message.position });
      }
    } catch (error) {
      if (!this.done) this.failure = { error };
    } finally {
      this.done = true;
      this.wake('consumer');
    }
  }

  private push(item: PageItem): void {
    this.queue.push(item);
    this.wake('consumer');
  }

  private wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    wake?.();
  }
}
