import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../ledger/clock';
import { NotRecorded } from '../ledger/commands/rule-errors';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { streams } from '../ledger/stream-names';
import { CheckpointSigner } from '../integrity/checkpoint-signer';
import { EvidenceBuilder, IntegrityLogBehind } from '../integrity/evidence-builder';
import { BUNDLE_FORMAT, type CitedEvent, type EvidenceBundle } from '../integrity/evidence-bundle';
import { IntegrityViolation } from '../integrity/integrity-violation';
import { type DecisionReceipt, receiptHash } from '../serving/decision-receipt';
import { RECEIPT_PROOF_FORMAT, type ReceiptProof } from './receipt-proof-check';

export type { ReceiptProof };
import { ReceiptTree, verifyReceiptInclusion } from './receipt-tree';

/**
 * A receipt with its proofs: the receipt's place in its batch's Merkle tree, and the batch event's
 * place in the ledger's signed tree. Both are checked before they are handed out, so a proof
 * given is one `npm run verify` accepts.
 */
@Injectable()
export class ReceiptProofs {
  constructor(
    private readonly db: DataSource,
    private readonly evidence: EvidenceBuilder,
    private readonly signer: CheckpointSigner,
    private readonly runner: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async proof(receiptId: string): Promise<ReceiptProof> {
    const [row] = (await this.db.query(
      `SELECT r.receipt, r.receipt_hash, r.leaf_index, b.batch_id, b.status, b.count, b.root,
              b.event_id, b.ledger_position
         FROM decision_receipts r LEFT JOIN receipt_batches b ON b.batch_id = r.batch_id
        WHERE r.receipt_id = $1`,
      [receiptId],
    )) as {
      /** Canonical JSON text (README, "Decision receipts"). */
      receipt: string;
      receipt_hash: string;
      leaf_index: number | null;
      batch_id: string | null;
      status: 'assigned' | 'recorded' | null;
      count: number | null;
      root: string | null;
      event_id: string | null;
      ledger_position: string | null;
    }[];
    if (!row) throw new NotRecorded('receipt', receiptId);
    const receipt = JSON.parse(row.receipt) as DecisionReceipt;
    const hash = receiptHash(receipt);
    if (hash !== row.receipt_hash) {
      throw new IntegrityViolation(`receipt ${receiptId} no longer hashes to what was written`, {
        table: 'decision_receipts',
      });
    }
    const base = { format: RECEIPT_PROOF_FORMAT, receipt, receiptHash: hash } as const;
    if (row.status !== 'recorded' || row.batch_id === null || row.leaf_index === null) {
      return { ...base, status: 'pending', batch: null, evidence: null };
    }
    const batchId = row.batch_id;
    const leaves = (await this.db.query(
      'SELECT receipt_hash FROM decision_receipts WHERE batch_id = $1 ORDER BY leaf_index',
      [batchId],
    )) as { receipt_hash: string }[];
    const tree = new ReceiptTree(leaves.map((leaf) => leaf.receipt_hash));
    const proof = tree.proof(row.leaf_index);
    const count = leaves.length;
    if (
      count !== row.count ||
      tree.root() !== row.root ||
      !verifyReceiptInclusion(hash, row.leaf_index, count, proof, row.root as string)
    ) {
      throw new IntegrityViolation(`receipt batch ${batchId} no longer has the root it sealed`, {
        table: 'decision_receipts',
      });
    }
    return {
      ...base,
      status: 'sealed',
      batch: {
        batchId,
        eventId: row.event_id as string,
        leafIndex: row.leaf_index,
        count,
        root: row.root as string,
        proof,
      },
      evidence: await this.bundle(receiptId, batchId, row.event_id as string, row.ledger_position),
    };
  }

  /** The batch event, its inclusion proof and a signed checkpoint holding it. */
  private async bundle(
    receiptId: string,
    batchId: string,
    eventId: string,
    position: string | null,
  ): Promise<EvidenceBundle> {
    if (position && !(await this.runner.waitFor(position, 10_000))) throw new IntegrityLogBehind();
    const citation = await this.evidence.cite([streams.predictionBatch(batchId)]);
    const events: CitedEvent[] = [];
    for await (const page of this.evidence.events(citation)) events.push(...page);
    if (!events.some((event) => event.id === eventId)) throw new IntegrityLogBehind();
    return {
      format: BUNDLE_FORMAT,
      subject: {
        kind: 'decision-receipt',
        id: receiptId,
        title: `Decision receipt ${receiptId} in batch ${batchId}`,
      },
      generatedAt: this.clock().toISOString(),
      checkpoint: citation.checkpoint,
      jwks: await this.signer.jwks(),
      events,
    };
  }
}
