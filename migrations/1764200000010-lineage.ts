import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the lineage capability: the graph from dataset versions through training runs,
 * model versions and deployments to prediction batches. `lineage_node_facts` keeps each node's
 * facts after every event that changed them, so the graph can be shown as it was at an instant.
 */
export class Lineage1764200000010 implements MigrationInterface {
  name = 'Lineage1764200000010';

  async up(db: QueryRunner): Promise<void> {
    const kinds = `'dataset-version', 'training-run', 'model-version', 'deployment', 'prediction-batch'`;
    await db.query(`
      CREATE TABLE lineage_nodes (
        kind              text NOT NULL CHECK (kind IN (${kinds})),
        id                text NOT NULL,
        facts             jsonb NOT NULL,
        created_event_ids uuid[] NOT NULL,
        created_at        timestamptz NOT NULL,
        PRIMARY KEY (kind, id)
      )`);
    await db.query(`
      CREATE TABLE lineage_node_facts (
        kind        text NOT NULL,
        id          text NOT NULL,
        revision    bigint NOT NULL,
        event_id    uuid NOT NULL,
        event_type  text NOT NULL,
        occurred_at timestamptz NOT NULL,
        facts       jsonb NOT NULL,
        PRIMARY KEY (kind, id, revision)
      )`);
    await db.query(`
      CREATE TABLE lineage_edges (
        from_kind   text NOT NULL CHECK (from_kind IN (${kinds})),
        from_id     text NOT NULL,
        to_kind     text NOT NULL CHECK (to_kind IN (${kinds})),
        to_id       text NOT NULL,
        relation    text NOT NULL,
        event_id    uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (from_kind, from_id, to_kind, to_id, relation)
      )`);
    // The primary key serves downstream walks; this serves upstream ones.
    await db.query('CREATE INDEX lineage_edges_upstream ON lineage_edges (to_kind, to_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE lineage_edges');
    await db.query('DROP TABLE lineage_node_facts');
    await db.query('DROP TABLE lineage_nodes');
  }
}
