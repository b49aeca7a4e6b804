import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the monitoring capability: drift and performance signals, and alerts. The
 * per-deployment monitoring view also reads prediction_batches, ground_truth and
 * deployment_history, which other capabilities own.
 */
export class Monitoring1764200000011 implements MigrationInterface {
  name = 'Monitoring1764200000011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE monitoring_signals (
        signal_id        uuid PRIMARY KEY,
        deployment_id    text NOT NULL,
        kind             text NOT NULL CHECK (kind IN ('drift', 'performance')),
        model            text NOT NULL,
        environment      text NOT NULL,
        version          text NOT NULL,
        feature          text NULL,
        metric           text NOT NULL,
        value            double precision NOT NULL,
        threshold        double precision NOT NULL,
        higher_is_better boolean NULL,
        breached         boolean NOT NULL,
        window_from      timestamptz NOT NULL,
        window_to        timestamptz NOT NULL,
        detected_by      text NOT NULL,
        detected_at      timestamptz NOT NULL,
        event_id         uuid NOT NULL UNIQUE
      )`);
    await db.query(
      'CREATE INDEX monitoring_signals_deployment ON monitoring_signals (deployment_id, detected_at)',
    );
    await db.query(`
      CREATE TABLE alerts (
        alert_id          uuid PRIMARY KEY,
        deployment_id     text NOT NULL,
        model             text NOT NULL,
        environment       text NOT NULL,
        severity          text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        kind              text NOT NULL
                            CHECK (kind IN ('drift', 'performance', 'operational', 'fairness')),
        summary           text NOT NULL,
        cause_event_id    uuid NULL,
        status            text NOT NULL CHECK (status IN ('open', 'resolved')),
        raised_by         text NOT NULL,
        raised_at         timestamptz NOT NULL,
        raised_event_id   uuid NOT NULL,
        resolution        text NULL,
        resolved_by       text NULL,
        resolved_at       timestamptz NULL,
        resolved_event_id uuid NULL,
        last_revision     bigint NOT NULL
      )`);
    await db.query('CREATE INDEX alerts_raised ON alerts (raised_at DESC, alert_id DESC)');
    await db.query(
      'CREATE INDEX alerts_deployment ON alerts (deployment_id, raised_at DESC, alert_id DESC)',
    );
    await db.query('CREATE INDEX alerts_resolved ON alerts (deployment_id, resolved_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE alerts');
    await db.query('DROP TABLE monitoring_signals');
  }
}
