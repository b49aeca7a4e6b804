import { ApiProperty } from '@nestjs/swagger';
import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import type { TrainingRunRecord, TrainingRunStatus } from './training-run.read-model';

export class TrainingRunDatasetVersionView {
  @ApiProperty({ example: 'loan-applications' }) name!: string;
  @ApiProperty({ example: '2026-02' }) version!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}` }) contentHash!: string;
}

export class TrainingRunCodeView {
  @ApiProperty({ example: 'https://git.bank.example/ml/credit-risk' }) repository!: string;
  @ApiProperty({ example: '3f9c2e1' }) commit!: string;
}

export class TrainingRunArtifactView {
  @ApiProperty({ example: 's3://models/credit-risk/01936f0e/model.onnx' }) uri!: string;
  @ApiProperty({ example: `sha256:${'5e'.repeat(32)}` }) digest!: string;
  @ApiProperty({ example: 'onnx' }) format!: string;
}

export class TrainingRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status!: TrainingRunStatus;
  @ApiProperty({ type: [TrainingRunDatasetVersionView] })
  datasetVersions!: TrainingRunDatasetVersionView[];
  @ApiProperty({ type: TrainingRunCodeView }) code!: TrainingRunCodeView;
  @ApiProperty({ example: 'xgboost' }) algorithm!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) hyperparameters!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) environment!: object;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    nullable: true,
    description: 'Set once completed',
  })
  metrics!: Record<string, number> | null;
  @ApiProperty({ type: String, nullable: true, example: '5-fold cross-validation' })
  validationApproach!: string | null;
  @ApiProperty({ type: TrainingRunArtifactView, nullable: true, description: 'Set once completed' })
  artifact!: TrainingRunArtifactView | null;
  @ApiProperty({ type: String, nullable: true, description: 'Set once failed' })
  failureReason!: string | null;
  @ApiProperty({ example: 'dana' }) startedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, nullable: true }) finishedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

export class TrainingRunList {
  @ApiProperty({
    type: [TrainingRunView],
    description: 'In the requested sort (default: newest first)',
  })
  items!: TrainingRunView[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export function presentTrainingRun(run: TrainingRunRecord): TrainingRunView {
  return {
    id: run.runId,
    model: run.model,
    status: run.status,
    datasetVersions: run.datasetVersions,
    code: run.code,
    algorithm: run.algorithm,
    hyperparameters: run.hyperparameters,
    environment: run.environment,
    metrics: run.metrics,
    validationApproach: run.validationApproach,
    artifact: run.artifact,
    failureReason: run.failureReason,
    startedBy: run.startedBy,
    startedAt: run.startedAt.toISOString(),
    finishedBy: run.finishedBy,
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
  };
}
