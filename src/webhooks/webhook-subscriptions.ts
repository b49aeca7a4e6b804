import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK, type Clock } from '../ledger/clock';
import { NotRecorded } from '../ledger/commands/rule-errors';
import { EVENT_LOG, type EventLog } from '../ledger/event-log.port';
import { InvalidRequest } from '../ledger/ledger.errors';
import type { CreateWebhookRequest } from './create-webhook.request.dto';
import type {
  WebhookAttemptView,
  WebhookCreated,
  WebhookDeliveryView,
  WebhookView,
} from './webhook.view';

/** A Standard Webhooks signing secret: 32 random bytes, base64, with the `whsec_` prefix. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

type WebhookRow = {
  webhook_id: string;
  url: string;
  event_types: string[];
  description: string | null;
  created_by: string;
  created_at: Date | string;
};

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function viewOf(row: WebhookRow): WebhookView {
  return {
    id: row.webhook_id,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    createdBy: row.created_by,
    createdAt: iso(row.created_at) as string,
  };
}

/**
 * Webhook subscriptions (README, "Webhooks"): configuration holding secrets, kept in the
 * `webhooks` table rather than the ledger. A subscription receives the events recorded after it
 * was made (its `after_position`), so a rebuild of the outbox never sends it older ones.
 */
@Injectable()
export class WebhookSubscriptions {
  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(request: CreateWebhookRequest, createdBy: string): Promise<WebhookCreated> {
    const eventTypes = [...new Set(request.eventTypes)];
    if (eventTypes.includes('*') && eventTypes.length > 1) {
      throw new InvalidRequest('invalid eventTypes', {
        eventTypes: ['eventTypes must be ["*"] alone or event types without *'],
      });
    }
    const id = uuidv7();
    const secret = newWebhookSecret();
    const after = (await this.eventLog.headPosition()) ?? null;
    const [row]: WebhookRow[] = await this.db.query(
      `INSERT INTO webhooks (webhook_id, url, event_types, description, secret, after_position,
         created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING webhook_id, url, event_types, description, created_by, created_at`,
      [
        id,
        request.url,
        eventTypes,
        request.description ?? null,
        secret,
        after,
        createdBy,
        this.clock().toISOString(),
      ],
    );
    return { ...viewOf(row), secret };
  }

  async list(): Promise<WebhookView[]> {
    const rows: WebhookRow[] = await this.db.query(
      `SELECT webhook_id, url, event_types, description, created_by, created_at
         FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, webhook_id`,
    );
    return rows.map(viewOf);
  }

  /**
   * Stops deliveries to it: the subscription is marked deleted and its secret dropped, and
   * deliveries not yet made are cancelled (one under way finishes). Its delivery log stays.
   * Deleting it again changes nothing.
   */
  async delete(id: string, deletedBy: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const deleted: unknown = await manager.query(
        `UPDATE webhooks SET deleted_at = $2, deleted_by = $3, secret = NULL
          WHERE webhook_id = $1 AND deleted_at IS NULL RETURNING webhook_id`,
        [id, this.clock().toISOString(), deletedBy],
      );
      if (rowsOf(deleted).length === 0) {
        // Deleted already: a repeat of the same request. Never subscribed: 404.
        const [known]: unknown[] = await manager.query(
          'SELECT 1 FROM webhooks WHERE webhook_id = $1',
          [id],
        );
        if (!known) throw new NotRecorded('webhook', id);
        return;
      }
      await manager.query(
        `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL,
           finished_at = now() WHERE webhook_id = $1 AND status = 'pending'`,
        [id],
      );
    });
  }

  /** The delivery log, newest first, each delivery with its attempts. */
  async deliveries(
    id: string,
    options: { status?: string; limit: number },
  ): Promise<WebhookDeliveryView[]> {
    const [hook]: unknown[] = await this.db.query(
      'SELECT 1 FROM webhooks WHERE webhook_id = $1 AND deleted_at IS NULL',
      [id],
    );
    if (!hook) throw new NotRecorded('webhook', id);
    const rows: {
      delivery_id: string;
      event_id: string;
      event_type: string;
      status: WebhookDeliveryView['status'];
      attempts: number;
      next_attempt_at: Date | string | null;
      created_at: Date | string;
      finished_at: Date | string | null;
    }[] = await this.db.query(
      `SELECT delivery_id, event_id, event_type, status, attempts, next_attempt_at, created_at,
              finished_at
         FROM webhook_deliveries
        WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)
        ORDER BY created_at DESC, delivery_id DESC LIMIT $3`,
      [id, options.status ?? null, options.limit],
    );
    const attempts: {
      delivery_id: string;
      attempt: number;
      started_at: Date | string;
      duration_ms: number;
      status_code: number | null;
      error: string | null;
      outcome: WebhookAttemptView['outcome'];
      next_attempt_at: Date | string | null;
    }[] = rows.length
      ? await this.db.query(
          `SELECT delivery_id, attempt, started_at, duration_ms, status_code, error, outcome,
                  next_attempt_at
             FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY attempt`,
          [rows.map((row) => row.delivery_id)],
        )
      : [];
    return rows.map((row) => ({
      id: row.delivery_id,
      eventId: row.event_id,
      eventType: row.event_type,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
      createdAt: iso(row.created_at) as string,
      finishedAt: iso(row.finished_at),
      log: attempts
        .filter((attempt) => attempt.delivery_id === row.delivery_id)
        .map((attempt) => ({
          attempt: attempt.attempt,
          startedAt: iso(attempt.started_at) as string,
          durationMs: attempt.duration_ms,
          statusCode: attempt.status_code,
          error: attempt.error,
          outcome: attempt.outcome,
          nextAttemptAt: iso(attempt.next_attempt_at),
        })),
    }));
  }
}

/** Rows an UPDATE … RETURNING touched (TypeORM answers [rows, count] for those). */
export function rowsOf(result: unknown): unknown[] {
  const [first, count] = result as [unknown, unknown];
  return Array.isArray(first) && typeof count === 'number' ? first : (result as unknown[]);
}
