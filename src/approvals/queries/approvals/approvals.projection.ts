import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { firstPerKey, recordset, waves } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import type { ApprovalEvent } from '../../approval.events';
import type { ApprovalStageView } from './approval.read-model';

type ApprovalRecorded = Recorded<{ type: string; data: { approvalId: string } }>;
const approvalOf = (event: ApprovalRecorded) => event.data.approvalId;

/**
 * The `approvals` table. Every update is guarded by the status it moves from, so an event
 * applied twice changes nothing. A run of requests is one multi-row insert; a run of decisions
 * is one `UPDATE … FROM` per wave (a request decided twice in a run takes two, in ledger order).
 */
@Injectable()
@ReadModelProjection()
export class ApprovalsProjection extends DeclaredProjection<ApprovalEvent> {
  readonly name = 'approvals';
  readonly tables = ['approvals'];

  protected readonly handlers: Handlers<ApprovalEvent> = {
    ApprovalRequested: async (events, { manager }) => {
      const rows = firstPerKey(events, approvalOf).map(({ data }) => {
        const stages: ApprovalStageView[] = data.stages.map(({ stage, role }) => ({
          stage,
          role,
          status: 'pending',
          by: null,
          at: null,
          comment: null,
        }));
        return {
          id: data.approvalId,
          model: data.model,
          version: data.version,
          environment: data.environment,
          risk_tier: data.riskTier,
          stages,
          first_role: stages[0]?.role ?? null,
          requested_by: data.requestedBy,
          registered_by: data.registeredBy,
          trained_by: data.trainedBy,
          evidence: data.evidence,
          evidence_digest: data.evidenceDigest,
          require_passing_evaluation: data.requirePassingEvaluation,
          comment: data.comment,
          requested_at: data.requestedAt,
          passing_evaluation_id: data.passingEvaluation?.evaluationId ?? null,
        };
      });
      await manager.query(
        `INSERT INTO approvals (id, model, version, environment, risk_tier, status, stages,
           current_stage, "current_role", requested_by, registered_by, trained_by, granted_by,
           evidence, evidence_digest, require_passing_evaluation, comment, requested_at,
           passing_evaluation_id)
         SELECT id, model, version, environment, risk_tier, 'pending', stages, 0, first_role,
           requested_by, registered_by, trained_by, '{}', evidence, evidence_digest,
           require_passing_evaluation, comment, requested_at, passing_evaluation_id
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, model text, version text,
           environment text, risk_tier text, stages jsonb, first_role text, requested_by text,
           registered_by text, trained_by text, evidence jsonb, evidence_digest text,
           require_passing_evaluation boolean, comment text, requested_at timestamptz,
           passing_evaluation_id text)
         ON CONFLICT (id) DO NOTHING`,
        [recordset(rows)],
      );
    },

    // Right-hand sides see the row as it was, so `stages` here is the list before this grant.
    ApprovalStageGranted: (events, { manager }) =>
      inWaves(
        manager,
        events,
        `UPDATE approvals a SET
           stages = jsonb_set(a.stages, ARRAY[r.stage::text], (a.stages -> r.stage) || r.decision),
           current_stage = CASE WHEN r.stage + 1 < jsonb_array_length(a.stages) THEN r.stage + 1 END,
           "current_role" = a.stages -> (r.stage + 1) ->> 'role',
           granted_by = array_append(a.granted_by, r.granted_by)
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, stage int, decision jsonb, granted_by text)
         WHERE a.id = r.id AND a.status = 'pending' AND a.stages -> r.stage ->> 'status' = 'pending'`,
        ({ data }) => ({
          id: data.approvalId,
          stage: data.stage,
          decision: {
            status: 'granted',
            by: data.grantedBy,
            at: data.grantedAt,
            comment: data.comment,
          },
          granted_by: data.grantedBy,
        }),
      ),

    ApprovalRejected: (events, { manager }) =>
      inWaves(
        manager,
        events,
        `UPDATE approvals a SET
           stages = jsonb_set(a.stages, ARRAY[r.stage::text], (a.stages -> r.stage) || r.decision),
           status = 'rejected', current_stage = NULL, "current_role" = NULL,
           decided_at = r.decided_at, closed_by = r.closed_by
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, stage int, decision jsonb,
           decided_at timestamptz, closed_by text)
         WHERE a.id = r.id AND a.status = 'pending'`,
        ({ data }) => ({
          id: data.approvalId,
          stage: data.stage,
          decision: {
            status: 'rejected',
            by: data.rejectedBy,
            at: data.rejectedAt,
            comment: data.comment,
          },
          decided_at: data.rejectedAt,
          closed_by: data.rejectedBy,
        }),
      ),

    ApprovalWithdrawn: (events, { manager }) =>
      inWaves(
        manager,
        events,
        `UPDATE approvals a SET status = 'withdrawn', current_stage = NULL, "current_role" = NULL,
           decided_at = r.decided_at, closed_by = r.closed_by, withdrawal_reason = r.reason
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, decided_at timestamptz, closed_by text,
           reason text)
         WHERE a.id = r.id AND a.status = 'pending'`,
        ({ data }) => ({
          id: data.approvalId,
          decided_at: data.withdrawnAt,
          closed_by: data.withdrawnBy,
          reason: data.reason,
        }),
      ),

    ModelVersionApproved: (events, { manager }) =>
      inWaves(
        manager,
        events,
        `UPDATE approvals a SET status = 'approved', current_stage = NULL, "current_role" = NULL,
           decided_at = r.decided_at, automatic = r.automatic
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, decided_at timestamptz, automatic boolean)
         WHERE a.id = r.id AND a.status = 'pending'`,
        ({ data }) => ({
          id: data.approvalId,
          decided_at: data.approvedAt,
          automatic: data.automatic === true,
        }),
      ),
  };
}

/** One statement per wave of the run (each request at most once per wave), in ledger order. */
async function inWaves<E extends ApprovalRecorded>(
  manager: EntityManager,
  events: readonly E[],
  sql: string,
  row: (event: E) => object,
): Promise<void> {
  for (const wave of waves(events, approvalOf)) {
    await manager.query(sql, [recordset(wave.map(row))]);
  }
}
