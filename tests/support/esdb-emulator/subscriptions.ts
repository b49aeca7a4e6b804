import { randomUUID } from 'node:crypto';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { streamDeleted } from './errors';
import type { SubscriptionFilter } from './filter';
import { eventResponse } from './protocol';
import type { ResponseStream } from './response-stream';
import type { EventStore, ReadFrom } from './store';

/** Events read from the log per step, like the server's catch-up page size. */
const PAGE_SIZE = 32;

/**
 * Catch-up subscription to $all, after Enumerator.AllSubscription(Filtered): confirmation, the
 * events after `from` (exclusive), then `caughtUp`, then live events. With a filter, a checkpoint
 * is sent every `checkpointInterval` considered events (matching or not), and once at the end of
 * catch-up, before `caughtUp`. Subscribing at or beyond the end goes live straight away.
 */
export async function subscribeToAll(
  out: ResponseStream,
  store: EventStore,
  from: ReadFrom,
  filter: SubscriptionFilter | undefined,
  structuredIds: boolean,
): Promise<void> {
  const changes = new ChangeSignal(store, out);
  try {
    await out.write(confirmation());
    let cursor = from === 'start' ? -1 : from === 'end' ? store.lastPosition : from;
    let live = cursor >= store.lastPosition;
    if (live) await out.write(caughtUp());
    let considered = 0;
    let lastCheckpoint = -1;
    const checkpoint = async (position: number) => {
      if (position <= lastCheckpoint || position < 0) return;
      lastCheckpoint = position;
      await out.write(checkpointAt(position));
    };

    while (!out.closed) {
      changes.reset();
      const page = store.readAllAfter(cursor, PAGE_SIZE);
      if (page.length === 0) {
        if (!live) {
          if (filter) await checkpoint(cursor);
          await out.write(caughtUp());
          live = true;
          considered = 0;
        }
        await changes.wait();
        continue;
      }
      for (const event of page) {
        if (out.closed) return;
        cursor = event.position;
        if (!filter || filter.matches(event)) await out.write(eventResponse(event, structuredIds));
        if (filter && ++considered >= filter.checkpointInterval) {
          considered = 0;
          await checkpoint(cursor);
        }
      }
    }
  } finally {
    changes.dispose();
  }
}

/**
 * Catch-up subscription to one stream, after Enumerator.StreamSubscription: `from` is a revision
 * (exclusive). Ends with stream-deleted once the stream is tombstoned.
 */
export async function subscribeToStream(
  out: ResponseStream,
  store: EventStore,
  streamName: string,
  from: ReadFrom,
  structuredIds: boolean,
): Promise<void> {
  const changes = new ChangeSignal(store, out);
  try {
    await out.write(confirmation());
    const last = store.lastRevision(streamName);
    let cursor = from === 'start' ? -1 : from === 'end' ? last : from;
    let live = cursor >= last;
    if (live) await out.write(caughtUp());

    while (!out.closed) {
      changes.reset();
      const page = store.readStreamAfter(streamName, cursor, PAGE_SIZE);
      if (page.kind !== 'events') return out.fail(streamDeleted(streamName));
      if (page.events.length === 0) {
        if (!live) await out.write(caughtUp());
        live = true;
        await changes.wait();
        continue;
      }
      for (const event of page.events) {
        if (out.closed) return;
        cursor = event.revision;
        await out.write(eventResponse(event, structuredIds));
      }
    }
  } finally {
    changes.dispose();
  }
}

/** Wakes a waiting subscription when the log changes or the call closes, without missed wakeups. */
class ChangeSignal {
  private changed = false;
  private waiter: (() => void) | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(store: EventStore, out: ResponseStream) {
    this.unsubscribe = [store.onChange(() => this.fire()), out.onClose(() => this.fire())];
  }

  reset(): void {
    this.changed = false;
  }

  async wait(): Promise<void> {
    if (!this.changed) await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.fire();
  }

  private fire(): void {
    this.changed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

function confirmation(): ReadResp {
  return new ReadResp().setConfirmation(
    new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()),
  );
}

function caughtUp(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

function checkpointAt(position: number): ReadResp {
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint()
      .setCommitPosition(String(position))
      .setPreparePosition(String(position)),
  );
}
