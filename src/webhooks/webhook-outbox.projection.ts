import { Inject, Injectable } from '@nestjs/common';
import { derivedUuid } from '../ledger/commands/command-context';
import { EVENT_LOG, type EventLog, type RecordedEvent } from '../ledger/event-log.port';
import { recordset } from '../ledger/projections/batching';
import {
  type Projection,
  type ProjectionContext,
  ReadModelProjection,
} from '../ledger/projections/projection';

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
 * unique (webhook, event) key makes a replay queue nothing twice, so a delivery already delivered
 * (or failed) stays as it is, and a subscription's `after_position` keeps it from the events
 * recorded before it was made.
 *
 * The one projection that reads every event type (a subscription may ask for `*`), so it is not a
 * DeclaredProjection, whose event types are those it has handlers for: it applies a page whole,
 * the subscriptions read once and its deliveries one insert.
 */
@Injectable()
@ReadModelProjection()
export class WebhookOutboxProjection implements Projection {
  readonly name = 'webhook-outbox';
  readonly tables: readonly string[] = [];

  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async applyPage(events: readonly RecordedEvent[], { manager }: ProjectionContext): Promise<void> {
    if (events.length === 0) return;
    // A subscription made while this page is applied starts after the ledger's head, so after
    // every event in it.
    const live = (await manager.query(
      'SELECT webhook_id, event_types, after_position FROM webhooks WHERE deleted_at IS NULL',
    )) as Subscription[];
    if (live.length === 0) return;
    const rows = events.flatMap((event) => {
      const due = live.filter(
        (hook) =>
          (hook.event_types.includes(event.type) || hook.event_types.includes('*')) &&
          (hook.after_position === null ||
            this.eventLog.comparePositions(event.position, hook.after_position) > 0),
      );
      if (due.length === 0) return [];
      const payload: WebhookPayload = {
        id: event.id,
        type: event.type,
        stream: event.stream,
        ledgerPosition: event.position,
        occurredAt: event.metadata.occurredAt,
      };
      return due.map((hook) => ({
        delivery_id: deliveryIdOf(hook.webhook_id, event.id),
        webhook_id: hook.webhook_id,
        event_id: event.id,
        event_type: event.type,
        payload,
      }));
    });
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO webhook_deliveries
         (delivery_id, webhook_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       SELECT delivery_id, webhook_id, event_id, event_type, payload, 'pending', now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS d(delivery_id uuid, webhook_id uuid, event_id uuid,
         event_type text, payload jsonb)
       ON CONFLICT (webhook_id, event_id) DO NOTHING`,
      [recordset(rows)],
    );
  }
}
