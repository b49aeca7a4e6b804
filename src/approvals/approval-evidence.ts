import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json';
import type { ApprovalEvidence } from './approval.events';

/** What the model stream records about the version an approval rests on. */
export type EvidenceFacts = {
  artifactDigest: string;
  datasetContentHashes: readonly string[];
  /** Integrity hashes of the version's ModelEvaluated events, in stream order. */
  evaluationEventHashes: readonly string[];
};

/** The evidence in its one canonical form: dataset hashes sorted and unique, evaluations in order. */
export function approvalEvidence(facts: EvidenceFacts): ApprovalEvidence {
  return {
    artifactDigest: facts.artifactDigest,
    datasetContentHashes: [...new Set(facts.datasetContentHashes)].sort(),
    evaluationEventHashes: [...facts.evaluationEventHashes],
  };
}

/** `sha256:` and the SHA-256 of the evidence's canonical JSON (RFC 8785). */
export function evidenceDigest(evidence: ApprovalEvidence): string {
  return `sha256:${createHash('sha256').update(canonicalJson(evidence)).digest('hex')}`;
}
