import { createHash } from 'node:crypto';
import { approvalEvidence, evidenceDigest } from './approval-evidence';

const ARTIFACT = `sha256:${'a1'.repeat(32)}`;
const DATA_1 = `sha256:${'d1'.repeat(32)}`;
const DATA_2 = `sha256:${'d2'.repeat(32)}`;
const EVAL_1 = 'e1'.repeat(32);
const EVAL_2 = 'e2'.repeat(32);

describe('approval evidence', () => {
  it('sorts and de-duplicates dataset hashes and keeps evaluations in stream order', () => {
    expect(
      approvalEvidence({
        artifactDigest: ARTIFACT,
        datasetContentHashes: [DATA_2, DATA_1, DATA_2],
        evaluationEventHashes: [EVAL_2, EVAL_1],
      }),
    ).toEqual({
      artifactDigest: ARTIFACT,
      datasetContentHashes: [DATA_1, DATA_2],
      evaluationEventHashes: [EVAL_2, EVAL_1],
    });
  });

  it('digests the canonical JSON (RFC 8785) of the evidence with SHA-256', () => {
    const evidence = {
      artifactDigest: ARTIFACT,
      datasetContentHashes: [DATA_1],
      evaluationEventHashes: [EVAL_1],
    };
    const canonical = `{"artifactDigest":"${ARTIFACT}","datasetContentHashes":["${DATA_1}"],"evaluationEventHashes":["${EVAL_1}"]}`;
    const expected = `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
    expect(evidenceDigest(evidence)).toBe(expected);
    expect(evidenceDigest(evidence)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is pure: the same evidence in another member or dataset order gives the same digest', () => {
    const a = approvalEvidence({
      artifactDigest: ARTIFACT,
      datasetContentHashes: [DATA_1, DATA_2],
      evaluationEventHashes: [EVAL_1],
    });
    const b = approvalEvidence({
      evaluationEventHashes: [EVAL_1],
      datasetContentHashes: [DATA_2, DATA_1],
      artifactDigest: ARTIFACT,
    });
    expect(evidenceDigest(a)).toBe(evidenceDigest(b));
  });

  it('changes when the artifact, a dataset, or the evaluations (or their order) change', () => {
    const base = {
      artifactDigest: ARTIFACT,
      datasetContentHashes: [DATA_1],
      evaluationEventHashes: [EVAL_1],
    };
    const digest = evidenceDigest(approvalEvidence(base));
    const variants = [
      { ...base, artifactDigest: `sha256:${'a2'.repeat(32)}` },
      { ...base, datasetContentHashes: [DATA_1, DATA_2] },
      { ...base, evaluationEventHashes: [EVAL_1, EVAL_2] },
      { ...base, evaluationEventHashes: [] },
    ];
    for (const variant of variants) {
      expect(evidenceDigest(approvalEvidence(variant))).not.toBe(digest);
    }
    expect(
      evidenceDigest(approvalEvidence({ ...base, evaluationEventHashes: [EVAL_1, EVAL_2] })),
    ).not.toBe(
      evidenceDigest(approvalEvidence({ ...base, evaluationEventHashes: [EVAL_2, EVAL_1] })),
    );
  });

  it('covers the relied-on passing evaluation only when there is one: other digests are as before', () => {
    const base = {
      artifactDigest: ARTIFACT,
      datasetContentHashes: [DATA_1],
      evaluationEventHashes: [EVAL_1, EVAL_2],
    };
    const canonical = `{"artifactDigest":"${ARTIFACT}","datasetContentHashes":["${DATA_1}"],"evaluationEventHashes":["${EVAL_1}","${EVAL_2}"]}`;
    const before = `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
    expect(evidenceDigest(approvalEvidence(base))).toBe(before);
    expect(evidenceDigest(approvalEvidence({ ...base, passingEvaluationEventHash: null }))).toBe(
      before,
    );
    const relying = approvalEvidence({ ...base, passingEvaluationEventHash: EVAL_2 });
    expect(relying.passingEvaluationEventHash).toBe(EVAL_2);
    expect(evidenceDigest(relying)).not.toBe(before);
    expect(
      evidenceDigest(approvalEvidence({ ...base, passingEvaluationEventHash: EVAL_1 })),
    ).not.toBe(evidenceDigest(relying));
  });
});
