import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RuleViolated, StateConflict } from '../../ledger/commands/rule-errors';

/** What recording a set of outcomes did. */
export type OutcomesRecorded = {
  deploymentId: string;
  /** Outcomes in the request. */
  received: number;
  /** Receipts that had no outcome and now have one. */
  recorded: number;
  /** Receipts that already had the same outcome (a repeat). */
  unchanged: number;
  /** Always empty: outcomes are stored on the receipts, never in the ledger. */
  eventIds: [];
};

/**
 * Outcomes joined to the receipts they are about, for realised performance (README, "Decision
 * receipts"), over the receipts of one deployment version scored in a window.
 */
export type RealisedOutcomes = {
  count: number;
  /** The model's score of each labelled receipt, in scoring order. */
  scores: Float64Array;
  /** The outcome recorded for each. */
  labels: string[];
  /** The label the decision carried (what the model said would happen). */
  predicted: string[];
  /** 1 where the decision was positive (score at or above the threshold). */
  positive: Uint8Array;
  /** The label positive decisions carry, as the receipts show it; null when none was positive. */
  positiveLabel: string | null;
  /** The sealed batches the labelled receipts belong to (those not sealed yet are counted too). */
  batchIds: string[];
};

/**
 * Ground truth joined to decision receipts: labels stored on the receipt rows only. Labels are
 * about people (who defaulted), so no event is recorded per outcome; what reaches the ledger is
 * the realised metrics over a window (GroundTruthRecorded, PerformanceDegraded).
 */
@Injectable()
export class ReceiptOutcomes {
  private readonly recordedHooks: ((deploymentId: string) => void)[] = [];

  constructor(private readonly db: DataSource) {}

  /**
   * Called, not awaited, after outcomes of a deployment are stored: realised performance is
   * judged then (README, "Monitoring by Attest") rather than at its next sweep. Monitoring adds
   * itself here, so receipts depend on nothing of it.
   */
  addRecordedHook(hook: (deploymentId: string) => void): void {
    this.recordedHooks.push(hook);
  }

  /**
   * The deployments with an outcome recorded at or after `since` (every deployment with one, for
   * null): the receipts' read interface for monitoring (docs/architecture.md, "Boundaries").
   */
  async deploymentsWithOutcomes(since: Date | null): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT deployment_id FROM decision_receipts
        WHERE outcome IS NOT NULL AND ($1::timestamptz IS NULL OR outcome_at >= $1::timestamptz)`,
      [since?.toISOString() ?? null],
    )) as { deployment_id: string }[];
    return rows.map((row) => row.deployment_id);
  }

  /** When the first and the last receipt of a version with an outcome were scored (null: none). */
  async outcomeSpan(
    deploymentId: string,
    version: string,
  ): Promise<{ first: Date; last: Date } | null> {
    const [span] = (await this.db.query(
      `SELECT min(scored_at) AS first, max(scored_at) AS last FROM decision_receipts
        WHERE deployment_id = $1 AND version = $2 AND outcome IS NOT NULL`,
      [deploymentId, version],
    )) as { first: Date | string | null; last: Date | string | null }[];
    if (!span?.first || !span.last) return null;
    return { first: new Date(span.first), last: new Date(span.last) };
  }

  /**
   * Sets each receipt's outcome, all or nothing: every receipt must be one of this deployment
   * (422 naming `outcomes.<i>.receiptId`), and an outcome once set is never changed (409 naming
   * `outcomes.<i>.label`); setting the same one again is a repeat.
   */
  async record(
    deploymentId: string,
    outcomes: readonly { receiptId: string; label: string }[],
  ): Promise<OutcomesRecorded> {
    const unknown: Record<string, string[]> = {};
    const conflicts: Record<string, string[]> = {};
    const wanted = new Map<string, { label: string; index: number }>();
    outcomes.forEach(({ receiptId, label }, index) => {
      const earlier = wanted.get(receiptId);
      if (earlier && earlier.label !== label) {
        conflicts[`outcomes.${index}.label`] = [
          `outcomes.${earlier.index} gives this receipt another label`,
        ];
      } else if (!earlier) wanted.set(receiptId, { label, index });
    });
    if (Object.keys(conflicts).length > 0) throw conflict(conflicts);

    const recorded = await this.db.transaction(async (manager) => {
      const ids = [...wanted.keys()];
      const rows = (await manager.query(
        `SELECT receipt_id, outcome FROM decision_receipts
          WHERE receipt_id = ANY($1::uuid[]) AND deployment_id = $2 ORDER BY receipt_id FOR UPDATE`,
        [ids, deploymentId],
      )) as { receipt_id: string; outcome: string | null }[];
      const stored = new Map(rows.map((row) => [row.receipt_id, row.outcome]));
      const toSet: { id: string; label: string }[] = [];
      let unchanged = 0;
      for (const [id, { label, index }] of wanted) {
        if (!stored.has(id)) {
          // The same answer for a receipt of another deployment: it is not one of this one.
          unknown[`outcomes.${index}.receiptId`] = [`no receipt ${id} in ${deploymentId}`];
          continue;
        }
        const outcome = stored.get(id);
        if (outcome === null || outcome === undefined) toSet.push({ id, label });
        else if (outcome === label) unchanged++;
        else conflicts[`outcomes.${index}.label`] = ['this receipt already has another outcome'];
      }
      if (Object.keys(unknown).length > 0) {
        throw new RuleViolated(
          'unknown-receipt',
          `${Object.keys(unknown).length} of the outcomes name no receipt of ${deploymentId}`,
          { errors: unknown },
        );
      }
      if (Object.keys(conflicts).length > 0) throw conflict(conflicts);
      if (toSet.length > 0) {
        await manager.query(
          `UPDATE decision_receipts AS d SET outcome = u.label, outcome_at = now()
             FROM unnest($1::uuid[], $2::text[]) AS u(id, label) WHERE d.receipt_id = u.id`,
          [toSet.map((row) => row.id), toSet.map((row) => row.label)],
        );
      }
      return {
        deploymentId,
        received: outcomes.length,
        recorded: toSet.length,
        unchanged,
        eventIds: [] as [],
      };
    });
    if (recorded.recorded > 0) for (const hook of this.recordedHooks) hook(deploymentId);
    return recorded;
  }

  /**
   * The labelled receipts of a deployment version scored in [from, to): their scores, outcomes
   * and decisions, for realised AUC and accuracy against the evaluation's.
   */
  async realised(
    deploymentId: string,
    version: string,
    window: { from: string; to: string },
  ): Promise<RealisedOutcomes> {
    const rows = (await this.db.query(
      `SELECT score, outcome, receipt::jsonb->>'label' AS predicted,
              receipt::jsonb->>'decision' AS decision,
              batch_id
         FROM decision_receipts
        WHERE deployment_id = $1 AND version = $2 AND scored_at >= $3 AND scored_at < $4
          AND outcome IS NOT NULL
        ORDER BY scored_at, seq`,
      [deploymentId, version, window.from, window.to],
    )) as {
      score: number;
      outcome: string;
      predicted: string;
      decision: 'positive' | 'negative';
      batch_id: string | null;
    }[];
    const positive = Uint8Array.from(rows, (row) => (row.decision === 'positive' ? 1 : 0));
    return {
      count: rows.length,
      scores: Float64Array.from(rows, (row) => row.score),
      labels: rows.map((row) => row.outcome),
      predicted: rows.map((row) => row.predicted),
      positive,
      positiveLabel: rows.find((row) => row.decision === 'positive')?.predicted ?? null,
      batchIds: [...new Set(rows.flatMap((row) => (row.batch_id ? [row.batch_id] : [])))],
    };
  }
}

function conflict(errors: Record<string, string[]>): StateConflict {
  return new StateConflict(
    'outcome-already-recorded',
    `${Object.keys(errors).length} of the outcomes would change an outcome already recorded`,
    { errors },
  );
}
