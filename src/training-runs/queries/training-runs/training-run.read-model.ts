import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DatasetVersionFact } from '../../../datasets/dataset.events';
import type { JsonObject } from '../../../ledger/event-log.port';

export const TRAINING_RUN_STATUSES = ['running', 'completed', 'failed'] as const;
export type TrainingRunStatus = (typeof TRAINING_RUN_STATUSES)[number];

/** One row per training run, as its stream stands. */
@Entity({ name: 'training_runs' })
export class TrainingRunRecord {
  @PrimaryColumn('uuid', { name: 'run_id' })
  runId!: string;

  @Column('text')
  model!: string;

  @Column('text')
  status!: TrainingRunStatus;

  @Column('jsonb', { name: 'dataset_versions' })
  datasetVersions!: DatasetVersionFact[];

  @Column('jsonb')
  code!: { repository: string; commit: string };

  @Column('text')
  algorithm!: string;

  @Column('jsonb')
  hyperparameters!: JsonObject;

  @Column('jsonb')
  environment!: JsonObject;

  @Column('jsonb', { nullable: true })
  metrics!: Record<string, number> | null;

  @Column('text', { name: 'validation_approach', nullable: true })
  validationApproach!: string | null;

  @Column('jsonb', { nullable: true })
  artifact!: { uri: string; digest: string; format: string } | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason!: string | null;

  @Column('text', { name: 'started_by' })
  startedBy!: string;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('text', { name: 'finished_by', nullable: true })
  finishedBy!: string | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('bigint', { name: 'last_revision', transformer: { to: String, from: Number } })
  lastRevision!: number;
}
