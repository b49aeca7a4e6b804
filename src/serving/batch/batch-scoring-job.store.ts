import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ServingArm } from '../served-model';

export type BatchJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export type BatchScoringJob = {
  id: string;
  deploymentId: string;
  model: string;
  environment: string;
  /** The version and arm that serve the whole job: resolved once, when the job was accepted. */
  version: string;
  arm: ServingArm;
  artifactDigest: string;
  requestId: string;
  /** The column holding each row's subject reference, as the request named it. */
  subjectColumn: string | null;
  /**
   * The upload's `hmac-sha256:<hex>` under the privacy pepper: what a retry with the same
   * Idempotency-Key must match (keyed, so it cannot be used to test guesses of the rows).
   */
  uploadDigest: string;
  status: BatchJobStatus;
  rowsTotal: number;
  rowsScored: number;
  /** Rows decided positive so far. */
  positives: number;
  /** Why the job failed: a line and a column, never a value (`interrupted` when its process died). */
  error: string | null;
  /** The column (or request field) the failure is about, when it is about one. */
  errorField: string | null;
  resultPath: string | null;
  requestedBy: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/** Why a job whose process stopped reporting shows as failed. */
export const INTERRUPTED = 'interrupted';

/**
 * A job that has not reported for this long is taken to have died with its process: it shows as
 * failed `interrupted`. Jobs held by a process (queued or running) report every HEARTBEAT_MS.
 */
export const HEARTBEAT_TIMEOUT_SECONDS = 120;
export const HEARTBEAT_MS = 5_000;

type Row = {
  id: string;
  deployment_id: string;
  model: string;
  environment: string;
  version: string;
  arm: ServingArm;
  artifact_digest: string;
  request_id: string;
  subject_column: string | null;
  upload_digest: string;
  status: BatchJobStatus;
  rows_total: string | number;
  rows_scored: string | number;
  positives: string | number;
  error: string | null;
  error_field: string | null;
  result_path: string | null;
  requested_by: string;
  created_at: Date | string;
  updated_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
};

const date = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

function fromRow(row: Row): BatchScoringJob {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    model: row.model,
    environment: row.environment,
    version: row.version,
    arm: row.arm,
    artifactDigest: row.artifact_digest,
    requestId: row.request_id,
    subjectColumn: row.subject_column,
    uploadDigest: row.upload_digest,
    status: row.status,
    rowsTotal: Number(row.rows_total),
    rowsScored: Number(row.rows_scored),
    positives: Number(row.positives),
    error: row.error,
    errorField: row.error_field,
    resultPath: row.result_path,
    requestedBy: row.requested_by,
    createdAt: date(row.created_at) as Date,
    updatedAt: date(row.updated_at) as Date,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

export type NewBatchJob = Pick<
  BatchScoringJob,
  | 'id'
  | 'deploymentId'
  | 'model'
  | 'environment'
  | 'version'
  | 'arm'
  | 'artifactDigest'
  | 'requestId'
  | 'subjectColumn'
  | 'uploadDigest'
  | 'rowsTotal'
  | 'resultPath'
  | 'requestedBy'
  | 'createdAt'
>;

/**
 * The `batch_scoring_jobs` table (migrations/1764200000026-batch-scoring.ts): the service's own
 * bookkeeping of batch jobs, not a read model (docs/design.md §2), never rebuilt from the ledger.
 */
@Injectable()
export class BatchScoringJobStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a queued job; null when a job with its id is already recorded (a retry with the same
   * Idempotency-Key, whose id is derived from it, that lost the race).
   */
  async create(job: NewBatchJob): Promise<BatchScoringJob | null> {
    const [row] = (await this.db.query(
      `INSERT INTO batch_scoring_jobs (id, deployment_id, model, environment, version, arm,
         artifact_digest, request_id, status, rows_total, result_path, requested_by, created_at,
         updated_at, subject_column, upload_digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11, $12, $12, $13, $14)
       ON CONFLICT (id) DO NOTHING
       RETURNING *`,
      [
        job.id,
        job.deploymentId,
        job.model,
        job.environment,
        job.version,
        job.arm,
        job.artifactDigest,
        job.requestId,
        job.rowsTotal,
        job.resultPath,
        job.requestedBy,
        job.createdAt.toISOString(),
        job.subjectColumn,
        job.uploadDigest,
      ],
    )) as Row[];
    return row ? fromRow(row) : null;
  }

  async find(id: string): Promise<BatchScoringJob | null> {
    await this.markInterrupted();
    const [row] = (await this.db.query('SELECT * FROM batch_scoring_jobs WHERE id = $1', [
      id,
    ])) as Row[];
    return row ? fromRow(row) : null;
  }

  /** Jobs that are over (succeeded or failed, interrupted ones included) among `ids`. */
  async finishedAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    await this.markInterrupted();
    const rows = (await this.db.query(
      `SELECT id FROM batch_scoring_jobs WHERE id = ANY($1::uuid[])
         AND status IN ('succeeded', 'failed')`,
      [ids],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async started(id: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE batch_scoring_jobs SET status = 'running', started_at = $2, updated_at = $2,
         heartbeat_at = now()
         WHERE id = $1 AND status = 'queued'`,
      [id, at.toISOString()],
    );
  }

  async progress(
    id: string,
    counts: { rowsScored: number; positives: number },
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE batch_scoring_jobs SET rows_scored = $2, positives = $3, updated_at = $4,
         heartbeat_at = now()
         WHERE id = $1 AND status = 'running'`,
      [id, counts.rowsScored, counts.positives, at.toISOString()],
    );
  }

  /** One heartbeat for every job this process holds. */
  async heartbeat(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE batch_scoring_jobs SET heartbeat_at = now()
         WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
      [ids],
    );
  }

  async succeeded(
    id: string,
    counts: { rowsScored: number; positives: number },
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE batch_scoring_jobs SET status = 'succeeded', rows_scored = $2, rows_total = $2,
         positives = $3, finished_at = $4, updated_at = $4, heartbeat_at = now()
         WHERE id = $1 AND status = 'running'`,
      [id, counts.rowsScored, counts.positives, at.toISOString()],
    );
  }

  /** Failed, with the rows scored (and receipted) before the failure when known. */
  async failed(
    id: string,
    error: string,
    field: string | null,
    at: Date,
    counts?: { rowsScored: number; positives: number },
  ): Promise<void> {
    await this.db.query(
      `UPDATE batch_scoring_jobs SET status = 'failed', error = $2, error_field = $3,
         finished_at = $4, updated_at = $4, heartbeat_at = now(),
         rows_scored = COALESCE($5, rows_scored), positives = COALESCE($6, positives)
         WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, error, field, at.toISOString(), counts?.rowsScored ?? null, counts?.positives ?? null],
    );
  }

  /** Jobs that stopped reporting: their process died; failed, `interrupted`. */
  private async markInterrupted(): Promise<void> {
    await this.db.query(
      `UPDATE batch_scoring_jobs SET status = 'failed', error = $1, finished_at = heartbeat_at,
         updated_at = heartbeat_at
         WHERE status IN ('queued', 'running')
           AND heartbeat_at < now() - make_interval(secs => $2)`,
      [INTERRUPTED, HEARTBEAT_TIMEOUT_SECONDS],
    );
  }
}
