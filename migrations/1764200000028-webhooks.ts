import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing webhooks (README, "Webhooks"): subscriptions are configuration holding secrets, so
 * they live here and not in the ledger. `webhook_deliveries` is the durable outbox, filled by the
 * webhook-outbox projection in the transaction that moves its checkpoint (one row per event and
 * subscription, never two: the unique key), and `webhook_attempts` the delivery log.
 */
export class Webhooks1764200000028 implements MigrationInterface {
  name = 'Webhooks1764200000028';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks (
        webhook_id      uuid PRIMARY KEY,
        url             text NOT NULL,
        event_types     text[] NOT NULL,
        description     text,
        secret          text,
        after_position  text,
        created_by      text NOT NULL,
        created_at      timestamptz NOT NULL,
        deleted_by      text,
        deleted_at      timestamptz
      )`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        delivery_id      uuid PRIMARY KEY,
        webhook_id       uuid NOT NULL REFERENCES webhooks (webhook_id),
        event_id         uuid NOT NULL,
        event_type       text NOT NULL,
        payload          jsonb NOT NULL,
        status           text NOT NULL
                           CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz,
        UNIQUE (webhook_id, event_id)
      )`);
    await db.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
         WHERE status = 'pending'`,
    );
    await db.query(
      'CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC)',
    );
    await db.query(`
      CREATE TABLE webhook_attempts (
        delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (delivery_id),
        attempt          integer NOT NULL,
        started_at       timestamptz NOT NULL,
        duration_ms      integer NOT NULL,
        status_code      integer,
        error            text,
        outcome          text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
        next_attempt_at  timestamptz,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE webhook_attempts');
    await db.query('DROP TABLE webhook_deliveries');
    await db.query('DROP TABLE webhooks');
  }
}
