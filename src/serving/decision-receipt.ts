import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json';
import type { Binning, ServingArm } from './served-model';

/**
 * One scored row's receipt (README, "Decision receipts"): everything needed to show later which
 * model decided what, without the inputs themselves (they may be personal information: only
 * their HMAC with the privacy pepper is kept). Its SHA-256 over canonical JSON is the leaf of
 * the batch's Merkle tree, and that root is carried by the sealing PredictionBatchRecorded.
 */
export type DecisionReceipt = {
  receiptId: string;
  deploymentId: string;
  model: string;
  environment: string;
  version: string;
  arm: ServingArm;
  artifactDigest: string;
  onnxruntimeVersion: string;
  /** `hmac-sha256:<hex>` of the row's features as canonical JSON, keyed with the privacy pepper. */
  inputDigest: string;
  outputs: { score: number };
  threshold: number;
  decision: 'positive' | 'negative';
  label: string;
  /** The caller's request id (it routed the canary); several rows of a request share it. */
  requestId: string;
  /** `hmac-sha256:<hex>` of the caller's subject reference, or null when none was given. */
  subjectRef: string | null;
  scoredAt: string;
};

/**
 * What is written with a receipt but not part of it: what sealing summarises. Bins are indices
 * into the served version's Binning (null: the feature was missing), never values.
 */
export type ReceiptSummary = {
  latencyMs: number;
  scoreBin: number;
  featureBins: Record<string, number | null>;
  /**
   * The served version's Binning the indices refer to (ServedModel.binning, the same object for
   * every row of a version): stored once per digest, so the sealed batch's bins carry its edges.
   */
  binning: Binning;
};

export type ReceiptToWrite = { receipt: DecisionReceipt; summary: ReceiptSummary };

/** SHA-256 of the receipt's canonical JSON, hex: its Merkle leaf input. */
export function receiptHash(receipt: DecisionReceipt): string {
  return receiptTextHash(canonicalJson(receipt));
}

/** `receiptHash` of a receipt already serialised as its canonical JSON text. */
export function receiptTextHash(canonicalText: string): string {
  return createHash('sha256').update(canonicalText).digest('hex');
}

/**
 * Writes receipts before the answer leaves: the promise resolves once they are stored, and
 * concurrent calls are grouped into one multi-row insert. Implemented by the receipts capability (src/receipts/receipt-writer.ts).
 */
export abstract class ReceiptSink {
  abstract write(receipts: readonly ReceiptToWrite[]): Promise<void>;
}
