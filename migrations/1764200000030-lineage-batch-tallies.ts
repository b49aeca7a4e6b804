import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Summarised lineage at ledger scale (README, "Lineage"): how many prediction batches each
 * deployment and model version scored is kept by the lineage projection, per UTC day, instead
 * of counted from `lineage_edges` on every read (a count that grows with the ledger). A read as
 * of an instant adds the whole days before it to the edges of its own day, found through the
 * partial index below. Existing edges are tallied here, so no rebuild is needed.
 */
export class LineageBatchTallies1764200000030 implements MigrationInterface {
  name = 'LineageBatchTallies1764200000030';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE lineage_batch_tallies (
        kind      text NOT NULL,
        id        text NOT NULL,
        day       date NOT NULL,
        batches   integer NOT NULL,
        first_at  timestamptz NOT NULL,
        last_at   timestamptz NOT NULL,
        PRIMARY KEY (kind, id, day)
      )`);
    await db.query(
      `CREATE INDEX lineage_edges_scored_at ON lineage_edges (from_kind, from_id, occurred_at)
         WHERE to_kind = 'prediction-batch'`,
    );
    await db.query(`
      INSERT INTO lineage_batch_tallies (kind, id, day, batches, first_at, last_at)
      SELECT from_kind, from_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*),
             min(occurred_at), max(occurred_at)
        FROM lineage_edges WHERE to_kind = 'prediction-batch'
       GROUP BY 1, 2, 3`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX lineage_edges_scored_at');
    await db.query('DROP TABLE lineage_batch_tallies');
  }
}
