import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json';
import type { ApprovalEvidence } from './approval.events';

/** What the model stream records about the version an approval rests on. */
export type EvidenceFacts = {
  artifactDigest: string;
  datasetContentHashes: readonly string[];
  /** Integrity hashes of the version's ModelEvaluated events, in stream order. */
  evaluationEventHashes: readonly string[];
  /** The service-run evaluation the request relies on, when the policy requires a passing one. */
  passingEvaluationEventHash?: string | null;
};

/** The evidence in its one canonical form: dataset hashes sorted and unique, evaluations in order. */
export function approvalEvidence(facts: EvidenceFacts): ApprovalEvidence {
  return {
    artifactDigest: facts.artifactDigest,
    datasetContentHashes: [...new Set(facts.datasetContentHashes)].sort(),
    evaluationEventHashes: [...facts.evaluationEventHashes],
    // Only when relied on: evidence without it digests exactly as it did before the field existed.
    ...(facts.passingEvaluationEventHash
      ? { passingEvaluationEventHash: facts.passingEvaluationEventHash }
      : {}),
  };
}

/** `sha256:` and the SHA-256 of the evidence's canonical JSON (RFC 8785). */
export function evidenceDigest(evidence: ApprovalEvidence): string {
  return `sha256:${createHash('sha256').update(canonicalJson(evidence)).digest('hex')}`;
}
