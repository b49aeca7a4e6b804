import { ApiProperty } from '@nestjs/swagger';
import type { BatchJobStatus, BatchScoringJob } from '../../batch-scoring-job.store';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** The API's prefix (app-setup.ts API_PREFIX), which the links a job answers carry. */
const API = '/api/v1';

/** Where a job is read: `/api/v1/batch-scoring/{id}`. */
export const jobHref = (id: string) => `${API}/batch-scoring/${id}`;

/** The answer to POST …/batch-scoring (202). */
export class BatchScoringAccepted {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: BatchJobStatus;
  @ApiProperty({ example: '/api/v1/batch-scoring/0193a1b2-0000-7000-8000-000000000000' })
  href!: string;
}

export class BatchProgressView {
  @ApiProperty() rowsScored!: number;
  @ApiProperty({
    description: 'Data rows in the upload (counted as it arrived; once succeeded, the rows scored)',
  })
  rowsTotal!: number;
  @ApiProperty({ description: 'rowsScored of rowsTotal, 0–100' }) percent!: number;
}

export class BatchCountsView {
  @ApiProperty({ description: 'Rows decided positive (score at or above the threshold)' })
  positive!: number;
  @ApiProperty() negative!: number;
}

export class BatchLinksView {
  @ApiProperty({ example: '/api/v1/batch-scoring/0193a1b2-0000-7000-8000-000000000000' })
  self!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '/api/v1/batch-scoring/0193a1b2-0000-7000-8000-000000000000/result',
    description: 'The result CSV, once succeeded',
  })
  result!: string | null;
  @ApiProperty({ example: '/api/v1/deployments/credit-risk.production' }) deployment!: string;
  @ApiProperty({ example: '/api/v1/models/credit-risk/versions/1.5.0' }) modelVersion!: string;
}

export class BatchScoringJobView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({
    example: '1.5.0',
    description: 'The version that serves the whole job, resolved when it was accepted',
  })
  version!: string;
  @ApiProperty({ enum: ['stable', 'canary'] }) arm!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}` }) artifactDigest!: string;
  @ApiProperty({ description: "Every receipt's requestId (it routed the canary)" })
  requestId!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: BatchJobStatus;
  @ApiProperty({ type: BatchProgressView }) progress!: BatchProgressView;
  @ApiProperty({ type: BatchCountsView, description: 'Decisions among the rows scored so far' })
  counts!: BatchCountsView;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why the job failed: the line and column, never a value (`interrupted` when its process stopped reporting)',
  })
  error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The column the failure is about' })
  errorField!: string | null;
  @ApiProperty({ example: 'loan-origination' }) requestedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: BatchLinksView }) links!: BatchLinksView;
}

export function batchScoringJobView(job: BatchScoringJob): BatchScoringJobView {
  const { rowsTotal, rowsScored } = job;
  return {
    id: job.id,
    deploymentId: job.deploymentId,
    model: job.model,
    environment: job.environment,
    version: job.version,
    arm: job.arm,
    artifactDigest: job.artifactDigest,
    requestId: job.requestId,
    status: job.status,
    progress: {
      rowsScored,
      rowsTotal,
      percent: rowsTotal > 0 ? Math.min(100, Math.round((1000 * rowsScored) / rowsTotal) / 10) : 0,
    },
    counts: { positive: job.positives, negative: rowsScored - job.positives },
    error: job.status === 'failed' ? job.error : null,
    errorField: job.status === 'failed' ? job.errorField : null,
    requestedBy: job.requestedBy,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    links: {
      self: jobHref(job.id),
      result: job.status === 'succeeded' ? `${jobHref(job.id)}/result` : null,
      deployment: `${API}/deployments/${job.deploymentId}`,
      modelVersion: `${API}/models/${job.model}/versions/${job.version}`,
    },
  };
}
