import type { JSONWebKeySet } from 'jose';
import { type CheckResult, type EvidenceBundle, verifyBundle } from '../integrity/evidence-bundle';
import { type DecisionReceipt, receiptHash } from '../serving/decision-receipt';
import { verifyReceiptInclusion } from './receipt-tree';

/** The format GET /receipts/{id} answers with (receipt-proofs.ts). */
export const RECEIPT_PROOF_FORMAT = 'attest-receipt-proof/1';

/**
 * What `GET /receipts/{id}` answers (receipt-proofs.ts) and `npm run verify` checks from a saved
 * copy (README, "Decision receipts"). Declared here, free of the service's imports, so the
 * offline verifier reads the very type the service writes; read from a file, nothing in it is
 * trusted.
 */
export type ReceiptProof = {
  format: typeof RECEIPT_PROOF_FORMAT;
  receipt: DecisionReceipt;
  /** SHA-256 (hex) of the receipt's canonical JSON: its leaf input in the batch's tree. */
  receiptHash: string;
  /** Sealed: in a recorded batch, with proofs; pending: not sealed yet, no proof (ask again). */
  status: 'sealed' | 'pending';
  batch: {
    batchId: string;
    eventId: string;
    leafIndex: number;
    count: number;
    /** The batch's Merkle root, hex, as its PredictionBatchRecorded carries it. */
    root: string;
    /** RFC 9162 audit path from the receipt's leaf to the root, hex. */
    proof: string[];
  } | null;
  /** The batch's event with its inclusion proof into a signed checkpoint of the ledger. */
  evidence: EvidenceBundle | null;
};

type SealedData = {
  batchId?: unknown;
  deploymentId?: unknown;
  version?: unknown;
  count?: unknown;
  receipts?: { root?: unknown; count?: unknown };
};

/**
 * Checks a receipt proof with nothing but the file (README, "Decision receipts"): the receipt
 * hashes to the hash given; the hash is the leaf at its index of a tree with the batch root; the
 * batch event cited carries that root, for that batch, deployment and version; then the
 * evidence bundle as `verifyBundle` checks any: the event's hash from its content, its
 * inclusion proof to the checkpoint, the checkpoint's signature.
 */
export async function verifyReceiptProof(
  document: ReceiptProof,
  options: { jwks?: JSONWebKeySet; onCheck?: (check: CheckResult) => void } = {},
): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const checks: CheckResult[] = [];
  const note = (ok: boolean, what: string) => {
    const check = { ok, what };
    checks.push(check);
    options.onCheck?.(check);
    return ok;
  };
  const done = () => ({ ok: checks.every((check) => check.ok), checks });
  const { receipt, batch, evidence } = document;

  let hash: string | undefined;
  try {
    hash = receiptHash(receipt);
  } catch (error) {
    note(false, `the receipt cannot be hashed: ${(error as Error).message}`);
    return done();
  }
  note(
    hash === document.receiptHash,
    hash === document.receiptHash
      ? `receipt ${receipt.receiptId}: its SHA-256 is the receipt hash given`
      : `the receipt was changed: its SHA-256 is ${hash}, not the receipt hash ${String(document.receiptHash)} it was sealed with`,
  );
  if (document.status !== 'sealed' || !batch || !evidence) {
    note(
      false,
      `the receipt is not sealed yet (status ${String(document.status)}): nothing proves it; ask again later`,
    );
    return done();
  }

  const included = (() => {
    try {
      return verifyReceiptInclusion(hash, batch.leafIndex, batch.count, batch.proof, batch.root);
    } catch {
      return false;
    }
  })();
  note(
    included,
    included
      ? `receipt: leaf ${batch.leafIndex} of the ${batch.count} in batch ${batch.batchId}, proven to its root ${batch.root}`
      : `the receipt is not in the batch: its inclusion proof does not lead to the batch root ${String(batch.root)}`,
  );

  const event = (evidence.events ?? []).find((cited) => cited.id === batch.eventId);
  const data = (event?.data ?? {}) as SealedData;
  const carries =
    event !== undefined &&
    event.type === 'PredictionBatchRecorded' &&
    event.stream === `prediction-batch-${batch.batchId}` &&
    data.batchId === batch.batchId &&
    data.receipts?.root === batch.root &&
    data.receipts?.count === batch.count &&
    data.deploymentId === receipt.deploymentId &&
    data.version === receipt.version;
  note(
    carries,
    carries
      ? `batch event ${batch.eventId}: PredictionBatchRecorded of batch ${batch.batchId} carries the root`
      : event === undefined
        ? `the batch event ${String(batch.eventId)} is not in the evidence`
        : `the batch event was changed: ${event.id} does not carry batch ${batch.batchId}'s root ${batch.root} for ${receipt.deploymentId} ${receipt.version}`,
  );

  try {
    await verifyBundle(evidence, {
      jwks: options.jwks,
      onCheck: (check) => note(check.ok, check.what),
    });
  } catch (error) {
    note(false, `the evidence was changed: it cannot be checked (${(error as Error).message})`);
  }
  return done();
}
