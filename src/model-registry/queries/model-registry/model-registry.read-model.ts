import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DatasetVersionFact } from '../../../datasets/dataset.events';
import type { ServiceEvaluation } from '../../../evaluation/service-evaluation';
import type {
  DecisionClass,
  FairnessResult,
  ModelArtifactStored,
  RiskTier,
} from '../../model.events';

const bigintAsNumber = { to: String, from: Number };

/** One row per model: its newest version and how many it has. */
@Entity({ name: 'models' })
export class ModelRecord {
  @PrimaryColumn('text')
  name!: string;

  @Column('text', { name: 'latest_version' })
  latestVersion!: string;

  @Column('integer', { name: 'version_count' })
  versionCount!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('bigint', { name: 'last_revision', transformer: bigintAsNumber })
  lastRevision!: number;
}

/** One row per model version: its registration with the card as it currently stands. */
@Entity({ name: 'model_versions' })
export class ModelVersionRecord {
  @PrimaryColumn('text')
  model!: string;

  @PrimaryColumn('text')
  version!: string;

  @Column('text', { name: 'run_id' })
  runId!: string;

  @Column('text', { name: 'trained_by' })
  trainedBy!: string;

  @Column('jsonb', { name: 'dataset_versions' })
  datasetVersions!: DatasetVersionFact[];

  @Column('text', { name: 'artifact_digest' })
  artifactDigest!: string;

  @Column('text', { name: 'risk_tier' })
  riskTier!: RiskTier;

  @Column('text', { name: 'decision_class' })
  decisionClass!: DecisionClass;

  @Column('jsonb', { name: 'personal_information_kinds' })
  personalInformationKinds!: string[];

  @Column('text')
  decisions!: string;

  @Column('text', { name: 'intended_use' })
  intendedUse!: string;

  @Column('jsonb')
  limitations!: string[];

  @Column('text')
  owner!: string;

  @Column('text', { nullable: true })
  vendor!: string | null;

  @Column('text', { nullable: true })
  explainability!: string | null;

  @Column('text', { name: 'human_oversight', nullable: true })
  humanOversight!: string | null;

  @Column('text', { name: 'consumer_disclosure', nullable: true })
  consumerDisclosure!: string | null;

  @Column('text', { name: 'monitoring_cadence', nullable: true })
  monitoringCadence!: string | null;

  @Column('text', { name: 'registered_by' })
  registeredBy!: string;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  /** Its registration's revision in the model stream: versions in the order they were registered. */
  @Column('bigint', { name: 'registration_revision', transformer: bigintAsNumber })
  registrationRevision!: number;

  @Column('text', { name: 'card_updated_by', nullable: true })
  cardUpdatedBy!: string | null;

  @Column('timestamptz', { name: 'card_updated_at', nullable: true })
  cardUpdatedAt!: Date | null;

  @Column('text', { name: 'retired_reason', nullable: true })
  retiredReason!: string | null;

  @Column('text', { name: 'retired_by', nullable: true })
  retiredBy!: string | null;

  @Column('timestamptz', { name: 'retired_at', nullable: true })
  retiredAt!: Date | null;

  /** ModelArtifactStored's data; null until the version's file is stored. */
  @Column('jsonb', { name: 'artifact', nullable: true })
  artifact!: ModelArtifactStored['data'] | null;
}

@Entity({ name: 'model_evaluations' })
export class ModelEvaluationRecord {
  @PrimaryColumn('text', { name: 'evaluation_id' })
  evaluationId!: string;

  @Column('text')
  model!: string;

  @Column('text')
  version!: string;

  @Column('jsonb', { name: 'dataset_version' })
  datasetVersion!: DatasetVersionFact;

  @Column('jsonb')
  metrics!: Record<string, number>;

  @Column('jsonb', { nullable: true })
  baseline!: { version: string | null; metrics: Record<string, number> } | null;

  @Column('jsonb')
  fairness!: FairnessResult[];

  @Column('text')
  verdict!: 'pass' | 'fail';

  @Column('text', { name: 'evaluated_by' })
  evaluatedBy!: string;

  /** Who computed the figures; `pipeline` for events recorded before the field existed. */
  @Column('text', { name: 'performed_by' })
  performedBy!: 'pipeline' | 'attest';

  /** What Attest ran and measured, for its own evaluations; null for the pipeline's. */
  @Column('jsonb', { nullable: true })
  service!: ServiceEvaluation | null;

  @Column('timestamptz', { name: 'evaluated_at' })
  evaluatedAt!: Date;

  @Column('bigint', { name: 'stream_revision', transformer: bigintAsNumber })
  streamRevision!: number;
}

/** Each ModelVersionApproved: this version may go to this environment. */
@Entity({ name: 'model_version_approvals' })
export class ModelVersionApprovalRecord {
  @PrimaryColumn('text', { name: 'approval_id' })
  approvalId!: string;

  @Column('text')
  model!: string;

  @Column('text')
  version!: string;

  @Column('text')
  environment!: string;

  @Column('text', { name: 'evidence_digest' })
  evidenceDigest!: string;

  @Column('jsonb')
  approvers!: { stage: number; role: string; sub: string; at: string }[];

  @Column('timestamptz', { name: 'approved_at' })
  approvedAt!: Date;
}
