import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Verdict } from '../evaluation-policy';
import type { EvaluationSettings } from '../service-evaluation';

/** What a run was asked to do, with the score output it reads. */
export type RunSettings = EvaluationSettings & { scoreOutput: string };

/** The digests a run's result rests on (they make its digest, with the settings). */
export type RunInputs = {
  artifactDigest: string;
  datasetContentHash: string;
  championArtifactDigest: string | null;
  policyVersion: number;
};

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export type EvaluationRun = {
  runId: string;
  model: string;
  version: string;
  environment: string;
  settings: RunSettings;
  inputs: RunInputs;
  digest: string;
  status: RunStatus;
  rowsScored: number;
  rowsTotal: number;
  reason: string | null;
  /** The request field the failure is about, when it is about one. */
  reasonField: string | null;
  evaluationId: string | null;
  ledgerPosition: string | null;
  verdict: Verdict | null;
  requestedBy: string;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/** Why a run whose process stopped reporting shows as failed. */
export const INTERRUPTED = 'interrupted';

/**
 * A run that has not reported for this long is taken to have died with its process: it shows as
 * failed `interrupted` and the same evaluation may be run again. Runs report every
 * HEARTBEAT_MS while they work.
 */
export const HEARTBEAT_TIMEOUT_SECONDS = 120;
export const HEARTBEAT_MS = 5_000;

/** What a run is asked to do: the same fields, one column each, in the evaluation_runs table. */
type RunRequest = Pick<
  EvaluationRun,
  'model' | 'version' | 'environment' | 'settings' | 'inputs' | 'digest'
>;

/** A row of evaluation_runs as the driver gives it: the run's fields, snake_cased where two words. */
type Row = RunRequest &
  Pick<EvaluationRun, 'status' | 'reason' | 'verdict'> & {
    run_id: string;
    rows_scored: string | number;
    rows_total: string | number;
    reason_field: string | null;
    evaluation_id: string | null;
    ledger_position: string | null;
    requested_by: string;
    requested_at: Date | string;
    started_at: Date | string | null;
    finished_at: Date | string | null;
  };

const date = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

function fromRow(row: Row): EvaluationRun {
  return {
    runId: row.run_id,
    model: row.model,
    version: row.version,
    environment: row.environment,
    settings: row.settings,
    inputs: row.inputs,
    digest: row.digest.trim(),
    status: row.status,
    rowsScored: Number(row.rows_scored),
    rowsTotal: Number(row.rows_total),
    reason: row.reason,
    reasonField: row.reason_field,
    evaluationId: row.evaluation_id,
    ledgerPosition: row.ledger_position,
    verdict: row.verdict,
    requestedBy: row.requested_by,
    requestedAt: date(row.requested_at) as Date,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/**
 * The `evaluation_runs` table (migrations/1764200000021-evaluation-runs.ts): the service's own
 * bookkeeping of runs in progress, not a read model (docs/design.md §2: read models are
 * projections of the ledger; this is not one, and is never rebuilt from it).
 */
@Injectable()
export class EvaluationRunStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a queued run, unless a run of the same evaluation (same digest) is queued, running
   * or succeeded: then that run, and `created` false. Runs whose heartbeat stopped are marked
   * interrupted first, so they do not hold the digest.
   */
  async claim(
    run: RunRequest & Pick<EvaluationRun, 'runId' | 'rowsTotal' | 'requestedBy' | 'requestedAt'>,
  ): Promise<{ run: EvaluationRun; created: boolean }> {
    await this.markInterrupted();
    for (let attempt = 0; attempt < 5; attempt++) {
      const inserted = (await this.db.query(
        `INSERT INTO evaluation_runs (run_id, model, version, environment, settings, inputs, digest,
           status, rows_total, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, 'queued', $8, $9, $10)
         ON CONFLICT (digest) WHERE status <> 'failed' DO NOTHING
         RETURNING *`,
        [
          run.runId,
          run.model,
          run.version,
          run.environment,
          JSON.stringify(run.settings),
          JSON.stringify(run.inputs),
          run.digest,
          run.rowsTotal,
          run.requestedBy,
          run.requestedAt.toISOString(),
        ],
      )) as Row[];
      if (inserted.length > 0) return { run: fromRow(inserted[0]), created: true };
      const [existing] = (await this.db.query(
        `SELECT * FROM evaluation_runs WHERE digest = $1 AND status <> 'failed'`,
        [run.digest],
      )) as Row[];
      // Gone between the two statements (it failed just now): try to insert again.
      if (existing) return { run: fromRow(existing), created: false };
    }
    throw new Error('could not claim an evaluation run: its digest kept changing hands');
  }

  async find(runId: string): Promise<EvaluationRun | null> {
    await this.markInterrupted();
    const [row] = (await this.db.query('SELECT * FROM evaluation_runs WHERE run_id = $1', [
      runId,
    ])) as Row[];
    return row ? fromRow(row) : null;
  }

  /** A version's runs, newest first. */
  async ofVersion(model: string, version: string, limit: number): Promise<EvaluationRun[]> {
    await this.markInterrupted();
    const rows = (await this.db.query(
      `SELECT * FROM evaluation_runs WHERE model = $1 AND version = $2
         ORDER BY requested_at DESC, run_id DESC LIMIT $3`,
      [model, version, limit],
    )) as Row[];
    return rows.map(fromRow);
  }

  async started(runId: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET status = 'running', started_at = $2, heartbeat_at = now()
         WHERE run_id = $1 AND status = 'queued'`,
      [runId, at.toISOString()],
    );
  }

  async progress(runId: string, rowsScored: number, rowsTotal: number): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET rows_scored = $2, rows_total = $3, heartbeat_at = now()
         WHERE run_id = $1 AND status IN ('queued', 'running')`,
      [runId, rowsScored, rowsTotal],
    );
  }

  async heartbeat(runId: string): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET heartbeat_at = now()
         WHERE run_id = $1 AND status IN ('queued', 'running')`,
      [runId],
    );
  }

  async succeeded(
    runId: string,
    outcome: {
      evaluationId: string;
      ledgerPosition: string;
      verdict: Verdict;
      rows: number;
      at: Date;
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET status = 'succeeded', evaluation_id = $2, ledger_position = $3,
         verdict = $4::jsonb, rows_scored = $5, rows_total = $5, finished_at = $6,
         heartbeat_at = now()
         WHERE run_id = $1`,
      [
        runId,
        outcome.evaluationId,
        outcome.ledgerPosition,
        JSON.stringify(outcome.verdict),
        outcome.rows,
        outcome.at.toISOString(),
      ],
    );
  }

  async failed(runId: string, reason: string, field: string | null, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET status = 'failed', reason = $2, reason_field = $3,
         finished_at = $4, heartbeat_at = now()
         WHERE run_id = $1 AND status IN ('queued', 'running')`,
      [runId, reason, field, at.toISOString()],
    );
  }

  /** Runs that stopped reporting: their process died; failed, `interrupted`. */
  private async markInterrupted(): Promise<void> {
    await this.db.query(
      `UPDATE evaluation_runs SET status = 'failed', reason = $1, finished_at = heartbeat_at
         WHERE status IN ('queued', 'running')
           AND heartbeat_at < now() - make_interval(secs => $2)`,
      [INTERRUPTED, HEARTBEAT_TIMEOUT_SECONDS],
    );
  }
}
