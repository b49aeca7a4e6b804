import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { derivedUuid } from '../ledger/commands/command-context';
import { EVENT_LOG, type EventLog, type RecordedEvent } from '../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../ledger/projections/projection';

/** What a receiver is sent: where to find the event, never its data (README, "Webhooks"). */
export type WebhookPayload = {
  id: string;
  type: string;
  stream: string;
  ledgerPosition: string;
  occurredAt: string;
};

type Subscription = {
  webhook_id: string;
  event_types: string[];
  after_position: string | null;
};

/** A delivery's id, the `webhook-id` header: one per event and subscription, the same on retries. */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return derivedUuid('webhook-delivery', webhookId, eventId);
}

/**
 * The durable outbox (README, "Webhooks"): every event, in ledger order, becomes one pending
 * delivery per subscription that wants its type. It runs as a projection, so the rows are
 * written in the transaction that moves its checkpoint: an event is queued exactly once and none
 * is skipped across restarts. It owns no table (a rebuild must not empty the delivery log); the
 * unique (webhook, event) key makes a replay queue nothing twice, and a subscription's
 * `after_position` keeps it from the events recorded before it was made.
 */
@Injectable()
@ReadModelProjection()
export class WebhookOutboxProjection implements Projection {
  readonly name = 'webhook-outbox';
  readonly tables: readonly string[] = [];

  /**
   * The live subscriptions, read once per batch transaction rather than once per event: a
   * subscription made during the batch starts after the ledger's head, so after every event in it.
   */
  private readonly subscriptions = new WeakMap<EntityManager, Promise<Subscription[]>>();

  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    let live = this.subscriptions.get(manager);
    if (!live) {
      live = manager.query(
        'SELECT webhook_id, event_types, after_position FROM webhooks WHERE deleted_at IS NULL',
      ) as Promise<Subscription[]>;
      this.subscriptions.set(manager, live);
    }
    const due = (await live).filter(
      (hook) =>
        (hook.event_types.includes(event.type) || hook.event_types.includes('*')) &&
        (hook.after_position === null ||
          this.eventLog.comparePositions(event.position, hook.after_position) > 0),
    );
    if (due.length === 0) return;
    const payload: WebhookPayload = {
      id: event.id,
      type: event.type,
      stream: event.stream,
      ledgerPosition: event.position,
      occurredAt: event.metadata.occurredAt,
    };
    const values: unknown[] = [];
    const rows = due.map((hook, index) => {
      values.push(deliveryIdOf(hook.webhook_id, event.id), hook.webhook_id);
      return `($${index * 2 + 4}::uuid, $${index * 2 + 5}::uuid, $1::uuid, $2, $3::jsonb, 'pending', now(), now())`;
    });
    await manager.query(
      `INSERT INTO webhook_deliveries
         (delivery_id, webhook_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT (webhook_id, event_id) DO NOTHING`,
      [event.id, event.type, JSON.stringify(payload), ...values],
    );
  }
}
