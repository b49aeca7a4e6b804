import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A prediction batch is created once and never changed, so the lineage projection no longer
 * keeps a history row for it in `lineage_node_facts` (one per batch, a copy of its node row):
 * a read as of an instant takes a batch's node row itself (README, "Lineage"). The copies
 * already kept are dropped, so the table holds what a rebuild would write.
 */
export class LineageBatchHistory1764200000031 implements MigrationInterface {
  name = 'LineageBatchHistory1764200000031';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM lineage_node_facts WHERE kind = 'prediction-batch'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      INSERT INTO lineage_node_facts (kind, id, revision, event_id, event_type, occurred_at, facts)
      SELECT kind, id, 0, created_event_ids[1], 'PredictionBatchRecorded', created_at, facts
        FROM lineage_nodes WHERE kind = 'prediction-batch'
      ON CONFLICT (kind, id, revision) DO NOTHING`);
  }
}
