import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseOutage } from '../ledger/database/database-outage';
import { SerialWork } from '../ledger/database/serial-work';
import { START_PROJECTIONS } from '../ledger/ledger.module';
import { type RetryDelay, WEBHOOK_RETRY_DELAY, fullJitterDelay } from './webhook-retry';
import { rowsOf } from './webhook-subscriptions';

/** Deliveries one poll claims at a time (and sends concurrently). */
const BATCH = 16;
/**
 * A claimed delivery is not due again for this long past the attempt's timeout: if this process
 * dies mid-send, another (or the next start) tries it once the lease runs out.
 */
const LEASE_MARGIN_MS = 30_000;

type Claimed = {
  delivery_id: string;
  attempts: number;
  payload: unknown;
  url: string;
  secret: string;
};

/** How one attempt ended: the receiver's status, or why no answer came. */
type Answer = { statusCode: number | null; error: string | null };

/**
 * Sends the outbox (README, "Webhooks"). Every WEBHOOK_POLL_INTERVAL_MS it claims due deliveries
 * with FOR UPDATE SKIP LOCKED and leases them (next attempt moved past the timeout) in one short
 * transaction, so replicas polling the same database never send a delivery twice at once; then it
 * POSTs each with Standard Webhooks headers and records the attempt. A 2xx delivers it; anything
 * else is retried with backoff and full jitter until WEBHOOK_RETRY_FOR_MS has passed since it was
 * queued, then it has failed. Neither the secret nor the payload is ever logged.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly work = new SerialWork<number>({
    pass: () => this.poll(),
    nextDelayMs: () => this.config.webhooks.pollIntervalMs,
    logger: this.logger,
    failure: 'webhook delivery poll failed',
  });

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Only a serving process delivers: not the CLI's short-lived ones.
    @Inject(START_PROJECTIONS) private readonly serving: boolean,
    // An outage is logged once by DatabaseOutage, not by every poll that meets it.
    private readonly outage: DatabaseOutage,
    @Optional()
    @Inject(WEBHOOK_RETRY_DELAY)
    private readonly retryDelay: RetryDelay = fullJitterDelay,
  ) {}

  onApplicationBootstrap(): void {
    if (this.serving) this.work.start(this.config.webhooks.pollIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.close();
  }

  /** The timer's pass: none while the database is known to be away. */
  private async poll(): Promise<number> {
    if (this.outage.down) return 0;
    try {
      return await this.drain();
    } catch (error) {
      this.outage.noteError(error, 'the webhook deliverer');
      throw error;
    }
  }

  /** Sends what is due until nothing is; how many attempts it made. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.deliverDue();
      total += sent;
      if (sent < BATCH || this.work.closing) return total;
    }
  }

  /** One round: claims up to BATCH due deliveries and attempts each; how many it attempted. */
  async deliverDue(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  private claim(): Promise<Claimed[]> {
    const leaseMs = this.config.webhooks.timeoutMs + LEASE_MARGIN_MS;
    return this.db.transaction(async (manager) => {
      const due: Claimed[] = await manager.query(
        `SELECT d.delivery_id, d.attempts, d.payload, w.url, w.secret
           FROM webhook_deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.deleted_at IS NULL
          ORDER BY d.next_attempt_at
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
        [BATCH],
      );
      if (due.length === 0) return [];
      await manager.query(
        `UPDATE webhook_deliveries
            SET attempts = attempts + 1,
                next_attempt_at = now() + $2::double precision * interval '1 millisecond'
          WHERE delivery_id = ANY ($1::uuid[])`,
        [due.map((delivery) => delivery.delivery_id), leaseMs],
      );
      return due.map((delivery) => ({ ...delivery, attempts: delivery.attempts + 1 }));
    });
  }

  private async attempt(delivery: Claimed): Promise<void> {
    const body = JSON.stringify(delivery.payload);
    // The signature's timestamp is the real time of sending, whatever clock the ledger runs on:
    // receivers refuse a timestamp far from their own clock.
    const startedAt = new Date();
    const began = performance.now();
    const answer = await this.post(delivery, body, startedAt);
    const durationMs = Math.round(performance.now() - began);
    const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
    const delayMs = ok ? 0 : Math.max(0, this.retryDelay(delivery.attempts));
    await this.db.transaction(async (manager) => {
      // Only while this attempt's claim holds: a delivery deleted meanwhile stays cancelled.
      const updated: unknown = await manager.query(
        `UPDATE webhook_deliveries d
            SET status = CASE
                  WHEN $3 THEN 'delivered'
                  WHEN d.created_at + $5::double precision * interval '1 millisecond'
                       < now() + $4::double precision * interval '1 millisecond' THEN 'failed'
                  ELSE 'pending' END,
                next_attempt_at = CASE
                  WHEN $3 OR d.created_at + $5::double precision * interval '1 millisecond'
                       < now() + $4::double precision * interval '1 millisecond' THEN NULL
                  ELSE now() + $4::double precision * interval '1 millisecond' END,
                finished_at = CASE
                  WHEN $3 OR d.created_at + $5::double precision * interval '1 millisecond'
                       < now() + $4::double precision * interval '1 millisecond' THEN now()
                  ELSE NULL END,
                last_status_code = $6,
                last_error = $7
          WHERE d.delivery_id = $1 AND d.attempts = $2 AND d.status = 'pending'
          RETURNING d.status, d.next_attempt_at`,
        [
          delivery.delivery_id,
          delivery.attempts,
          ok,
          delayMs,
          this.config.webhooks.retryForMs,
          answer.statusCode,
          answer.error,
        ],
      );
      const [row] = rowsOf(updated) as { status: string; next_attempt_at: Date | null }[];
      const outcome = ok ? 'delivered' : row?.status === 'failed' ? 'failed' : 'retry';
      await manager.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code,
           error, outcome, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (delivery_id, attempt) DO NOTHING`,
        [
          delivery.delivery_id,
          delivery.attempts,
          startedAt.toISOString(),
          durationMs,
          answer.statusCode,
          answer.error,
          outcome,
          outcome === 'retry' ? (row?.next_attempt_at ?? null) : null,
        ],
      );
      if (outcome === 'failed') {
        this.logger.warn(
          `webhook delivery ${delivery.delivery_id} failed after ${delivery.attempts} attempts`,
        );
      }
    });
  }

  private async post(delivery: Claimed, body: string, at: Date): Promise<Answer> {
    try {
      const signature = new Webhook(delivery.secret).sign(delivery.delivery_id, at, body);
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Attest-Webhooks/1',
          'webhook-id': delivery.delivery_id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        // A redirect is not a delivery: the receiver must answer at the URL subscribed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return { statusCode: response.status, error: null };
    } catch (error) {
      return { statusCode: null, error: errorClass(error) };
    }
  }
}

/** A network failure's class (timeout, ECONNREFUSED…): never its message, which may hold the URL. */
function errorClass(error: unknown): string {
  const failure = error as { name?: string; cause?: { code?: unknown; name?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return 'timeout';
  if (typeof failure.cause?.code === 'string') return failure.cause.code;
  return failure.cause?.name ?? failure.name ?? 'Error';
}
