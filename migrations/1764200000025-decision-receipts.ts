import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Decision receipts (README, "Decision receipts"): one row per scored row, written before the
 * answer leaves, sealed later into a PredictionBatchRecorded whose Merkle root covers them.
 * Operational state of the service like evaluation_runs, not a projection of the ledger
 * (docs/design.md §2): the ledger holds the sealed batches, this table the receipts they prove.
 *
 * - `receipt` is the receipt's canonical JSON as text, exactly what `receipt_hash` covers (no
 *   jsonb parse on write, no re-serialising to check it).
 * - `seq` is the write order, and the leaf order of a batch's Merkle tree.
 * - `seal_key` groups receipts that can share a batch: same deployment, version, artifact,
 *   onnxruntime version and binning (a batch carries one of each).
 * - Indices a write does not need are partial (batch, labelled): each receipt insert updates
 *   only its key, its id and the waiting set.
 * - `receipt_binnings` holds each Binning once, keyed by its digest: a sealed batch's bins carry
 *   the edges its receipts were binned against.
 * - `receipt_batches` is the sealing's own progress: 'assigned' (receipts given a batch id and
 *   leaf index, event not yet appended) then 'recorded'. An 'assigned' batch is finished first
 *   after a restart, with the same batch id, so nothing is recorded twice.
 */
export class DecisionReceipts1764200000025 implements MigrationInterface {
  name = 'DecisionReceipts1764200000025';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE receipt_binnings (
        binning_digest  text PRIMARY KEY,
        binning         jsonb NOT NULL
      )`);
    await db.query(`
      CREATE TABLE decision_receipts (
        seq             bigserial PRIMARY KEY,
        receipt_id      uuid NOT NULL UNIQUE,
        deployment_id   text NOT NULL,
        version         text NOT NULL,
        receipt         text NOT NULL,
        receipt_hash    text NOT NULL,
        score           double precision NOT NULL,
        score_bin       smallint NOT NULL,
        feature_bins    jsonb NOT NULL,
        latency_ms      double precision NOT NULL,
        scored_at       timestamptz NOT NULL,
        seal_key        text NOT NULL,
        binning_digest  text NOT NULL REFERENCES receipt_binnings (binning_digest),
        written_at      timestamptz NOT NULL DEFAULT now(),
        batch_id        uuid,
        leaf_index      int,
        outcome         text,
        outcome_at      timestamptz
      )`);
    await db.query(
      `CREATE INDEX decision_receipts_unsealed ON decision_receipts (seal_key, seq)
         WHERE batch_id IS NULL`,
    );
    await db.query(
      `CREATE INDEX decision_receipts_by_batch ON decision_receipts (batch_id, leaf_index)
         WHERE batch_id IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX decision_receipts_labelled ON decision_receipts
         (deployment_id, version, scored_at) WHERE outcome IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE receipt_batches (
        batch_id        uuid PRIMARY KEY,
        seal_key        text NOT NULL,
        deployment_id   text NOT NULL,
        version         text NOT NULL,
        first_seq       bigint NOT NULL,
        last_seq        bigint NOT NULL,
        count           int NOT NULL,
        root            text NOT NULL,
        status          text NOT NULL CHECK (status IN ('assigned', 'recorded')),
        event_id        text,
        ledger_position text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        recorded_at     timestamptz
      )`);
    await db.query(
      `CREATE INDEX receipt_batches_assigned ON receipt_batches (created_at)
         WHERE status = 'assigned'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE receipt_batches');
    await db.query('DROP TABLE decision_receipts');
    await db.query('DROP TABLE receipt_binnings');
  }
}
