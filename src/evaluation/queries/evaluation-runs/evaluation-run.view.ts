import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EvaluationRun, RunStatus } from '../../runs/evaluation-run.store';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** The API's prefix (app-setup.ts API_PREFIX), which the links a run answers carry. */
const API = '/api/v1';

/** Where a run is read: `/api/v1/evaluation-runs/{id}`. */
export const runHref = (runId: string) => `${API}/evaluation-runs/${runId}`;

/** The answer to POST …/evaluation-runs (202). */
export class EvaluationRunAccepted {
  @ApiProperty({
    format: 'uuid',
    description: 'The run; the same evaluation asked again answers the same run',
  })
  id!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty({ example: '/api/v1/evaluation-runs/0193a1b2-0000-7000-8000-000000000000' })
  href!: string;
}

export class RunProgressView {
  @ApiProperty() rowsScored!: number;
  @ApiProperty() rowsTotal!: number;
  @ApiProperty({ description: 'rowsScored of rowsTotal, 0–100' }) percent!: number;
}

export class RunDatasetView {
  @ApiProperty({ example: 'credit-holdout' }) name!: string;
  @ApiProperty({ example: '2026-03' }) version!: string;
}

export class RunSettingsView {
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ type: RunDatasetView }) dataset!: RunDatasetView;
  @ApiProperty({ example: 'default' }) labelColumn!: string;
  @ApiProperty({ example: '1' }) positiveLabel!: string;
  @ApiProperty({ example: 0.5 }) threshold!: number;
  @ApiProperty({ type: [String], example: ['age_band', 'sex'] }) protectedAttributes!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    description: 'Every model input with its column(s)',
  })
  columns!: Record<string, string | string[]>;
  @ApiProperty({ type: String, nullable: true }) pipelineScoreColumn!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The champion version compared with' })
  champion!: string | null;
  @ApiProperty({ example: 'probability' }) scoreOutput!: string;
}

export class RunRuleView {
  @ApiProperty({ example: 'minDemographicParityRatio' }) rule!: string;
  @ApiPropertyOptional({ example: 'age_band' }) attribute?: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty() threshold!: number;
  @ApiProperty({ enum: ['>=', '<='] }) comparison!: string;
  @ApiProperty({ enum: ['pass', 'fail', 'not-assessable', 'skipped'] }) status!: string;
  @ApiPropertyOptional() reason?: string;
}

export class RunVerdictView {
  @ApiProperty({ enum: ['pass', 'fail', 'not-assessable'] }) outcome!: string;
  @ApiProperty() passed!: boolean;
  @ApiProperty({
    type: [RunRuleView],
    description: 'The rules that failed or could not be assessed',
  })
  unmet!: RunRuleView[];
}

export class EvaluationRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.5.0' }) version!: string;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty({ type: RunProgressView }) progress!: RunProgressView;
  @ApiProperty({ type: RunSettingsView }) settings!: RunSettingsView;
  @ApiProperty({ example: 'ci-pipeline' }) requestedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the run failed (`interrupted` when its process stopped reporting)',
  })
  reason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The setting or column the failure is about, e.g. labelColumn',
  })
  reasonField!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ModelEvaluated recorded',
  })
  evaluationId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Its ledger position (send as X-Ledger-Position)',
  })
  ledgerPosition!: string | null;
  @ApiProperty({ type: RunVerdictView, nullable: true }) verdict!: RunVerdictView | null;
  @ApiProperty({ example: '/api/v1/models/credit-risk/versions/1.5.0' }) modelVersionHref!: string;
  @ApiProperty({ example: '/api/v1/evaluation-runs/0193a1b2-0000-7000-8000-000000000000' })
  href!: string;
}

/** A version's runs: not a paged list (at most the newest hundred). */
export class EvaluationRunList {
  @ApiProperty({ type: [EvaluationRunView], description: 'Newest first' })
  runs!: EvaluationRunView[];
}

export function evaluationRunView(run: EvaluationRun): EvaluationRunView {
  const rowsTotal = run.rowsTotal;
  return {
    id: run.runId,
    model: run.model,
    version: run.version,
    status: run.status,
    progress: {
      rowsScored: run.rowsScored,
      rowsTotal,
      percent:
        rowsTotal > 0 ? Math.min(100, Math.round((1000 * run.rowsScored) / rowsTotal) / 10) : 0,
    },
    settings: run.settings,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    reason: run.status === 'failed' ? run.reason : null,
    reasonField: run.status === 'failed' ? run.reasonField : null,
    evaluationId: run.status === 'succeeded' ? run.evaluationId : null,
    ledgerPosition: run.status === 'succeeded' ? run.ledgerPosition : null,
    verdict:
      run.status === 'succeeded' && run.verdict
        ? {
            outcome: run.verdict.outcome,
            passed: run.verdict.passed,
            unmet: run.verdict.results.filter(
              (result) => result.status === 'fail' || result.status === 'not-assessable',
            ),
          }
        : null,
    modelVersionHref: `${API}/models/${run.model}/versions/${run.version}`,
    href: runHref(run.runId),
  };
}
