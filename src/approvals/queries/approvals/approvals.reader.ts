import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface VersionApprovalStage {
  stage: number;
  role: string;
  status: string;
  by: string | null;
  at: string | null;
  comment: string | null;
}

/** An approval request of a model version, with its stages, as other capabilities see it. */
export interface VersionApproval {
  id: string;
  environment: string;
  status: string;
  requestedBy: string;
  requestedAt: string;
  evidenceDigest: string;
  stages: VersionApprovalStage[];
  /** Approved with no stage: a low-risk tier, by a passing service-run evaluation. */
  automatic: boolean;
  /** The passing service-run evaluation the request relied on, if the policy required one. */
  passingEvaluationId: string | null;
  decidedAt: string | null;
}

/**
 * The approvals capability's read interface over its approvals table for other capabilities
 * (docs/architecture.md, "Boundaries"): they read it here, never by SQL of their own.
 */
@Injectable()
export class ApprovalsReader {
  constructor(private readonly db: DataSource) {}

  /** Every approval request of a model version, oldest first. */
  async ofVersion(model: string, version: string): Promise<VersionApproval[]> {
    const rows = (await this.db.query(
      `SELECT id, environment, status, requested_by, requested_at, evidence_digest, stages,
              automatic, passing_evaluation_id, decided_at
       FROM approvals WHERE model = $1 AND version = $2 ORDER BY requested_at, id`,
      [model, version],
    )) as {
      id: string;
      environment: string;
      status: string;
      requested_by: string;
      requested_at: Date;
      evidence_digest: string;
      stages: VersionApprovalStage[];
      automatic: boolean;
      passing_evaluation_id: string | null;
      decided_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      environment: row.environment,
      status: row.status,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at.toISOString(),
      evidenceDigest: row.evidence_digest,
      stages: row.stages.map((s, i) => ({
        stage: s.stage ?? i,
        role: s.role,
        status: s.status,
        by: s.by ?? null,
        at: s.at ?? null,
        comment: s.comment ?? null,
      })),
      automatic: row.automatic,
      passingEvaluationId: row.passing_evaluation_id,
      decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    }));
  }
}
