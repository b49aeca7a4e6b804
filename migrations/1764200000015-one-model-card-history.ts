import { MigrationInterface, QueryRunner } from 'typeorm';

/** The ADM register reads model_card_history (kept for asOf), so its own copy goes. */
export class OneModelCardHistory1764200000015 implements MigrationInterface {
  name = 'OneModelCardHistory1764200000015';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE compliance_model_cards');
    await db.query(
      `DELETE FROM projection_checkpoints WHERE projection = 'compliance-model-cards'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE compliance_model_cards (
        model                      text NOT NULL,
        version                    text NOT NULL,
        revision                   bigint NOT NULL,
        decision_class             text NOT NULL,
        risk_tier                  text NOT NULL,
        personal_information_kinds jsonb NOT NULL,
        decisions                  text NOT NULL,
        owner                      text NOT NULL,
        vendor                     text,
        effective_at               timestamptz NOT NULL,
        event_id                   uuid NOT NULL,
        PRIMARY KEY (model, version, revision)
      )`);
  }
}
