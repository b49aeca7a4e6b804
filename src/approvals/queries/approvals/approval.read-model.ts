import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { RISK_TIERS, type RiskTier } from '../../../model-registry/model.events';
import { STAGE_ROLES, type ApprovalEvidence, type StageRole } from '../../approval.events';
import { APPROVAL_STATUSES, type ApprovalStatus } from '../../approval-status';

export { APPROVAL_STATUSES, type ApprovalStatus };

export const STAGE_STATUSES = ['pending', 'granted', 'rejected'] as const;

export class ApprovalStageView {
  @ApiProperty({ example: 0 }) stage!: number;
  @ApiProperty({ enum: STAGE_ROLES }) role!: StageRole;
  @ApiProperty({ enum: STAGE_STATUSES }) status!: (typeof STAGE_STATUSES)[number];
  @ApiProperty({ type: String, nullable: true, description: 'Who granted or rejected it' })
  by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) at!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
}

export class ApprovalEvidenceView implements ApprovalEvidence {
  @ApiProperty({ example: `sha256:${'ab'.repeat(32)}` }) artifactDigest!: string;
  @ApiProperty({ type: [String], description: 'Content hashes of the training datasets, sorted' })
  datasetContentHashes!: string[];
  @ApiProperty({
    type: [String],
    description: 'Integrity hashes of the version’s ModelEvaluated events, in ledger order',
  })
  evaluationEventHashes!: string[];
}

/** One approval request as the approvals projection keeps it (the inbox and its history). */
@Entity({ name: 'approvals' })
export class ApprovalRecord {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn('uuid')
  id!: string;

  @ApiProperty({ example: 'credit-risk' })
  @Column('text')
  model!: string;

  @ApiProperty({ example: '1.4.0' })
  @Column('text')
  version!: string;

  @ApiProperty({ example: 'production' })
  @Column('text')
  environment!: string;

  @ApiProperty({ enum: RISK_TIERS })
  @Column('text', { name: 'risk_tier' })
  riskTier!: RiskTier;

  @ApiProperty({ enum: APPROVAL_STATUSES })
  @Column('text')
  status!: ApprovalStatus;

  @ApiProperty({ type: [ApprovalStageView] })
  @Column('jsonb')
  stages!: ApprovalStageView[];

  @ApiProperty({ type: Number, nullable: true, description: 'The stage waiting for a decision' })
  @Column('int', { name: 'current_stage', nullable: true })
  currentStage!: number | null;

  @ApiProperty({ enum: STAGE_ROLES, nullable: true, description: 'Who may decide it' })
  @Column('text', { name: 'current_role', nullable: true })
  currentRole!: StageRole | null;

  @ApiProperty({ example: 'dana' })
  @Column('text', { name: 'requested_by' })
  requestedBy!: string;

  @ApiProperty({ description: 'The version’s registrant (may never decide)' })
  @Column('text', { name: 'registered_by' })
  registeredBy!: string;

  @ApiProperty({ description: 'The training run’s author (may never decide)' })
  @Column('text', { name: 'trained_by' })
  trainedBy!: string;

  @ApiProperty({ type: [String], description: 'Who granted a stage, in stage order' })
  @Column('text', { name: 'granted_by', array: true })
  grantedBy!: string[];

  @ApiProperty({ type: ApprovalEvidenceView })
  @Column('jsonb')
  evidence!: ApprovalEvidenceView;

  @ApiProperty({ example: `sha256:${'cd'.repeat(32)}` })
  @Column('text', { name: 'evidence_digest' })
  evidenceDigest!: string;

  @ApiProperty()
  @Column('boolean', { name: 'require_passing_evaluation' })
  requirePassingEvaluation!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The requester’s comment' })
  @Column('text', { nullable: true })
  comment!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt!: Date | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Who rejected or withdrew it',
  })
  @Column('text', { name: 'closed_by', nullable: true })
  closedBy!: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { name: 'withdrawal_reason', nullable: true })
  withdrawalReason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The passing service-run evaluation the request relied on (the policy required one); its event hash is in the evidence',
  })
  @Column('text', { name: 'passing_evaluation_id', nullable: true })
  passingEvaluationId!: string | null;

  @ApiProperty({
    description:
      'Approved with no person deciding: a low-risk tier with no stage, approved by its passing service-run evaluation',
  })
  @Column('boolean')
  automatic!: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example:
      'approved automatically by a passing service-run evaluation 01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
    description: 'Who or what approved it, in words, for an automatic approval',
  })
  approvedAutomatically?: string | null;
}

/** An approval as the API shows it: an automatic one says what approved it. */
export function approvalView<Record extends ApprovalRecord>(record: Record): Record {
  return {
    ...record,
    approvedAutomatically:
      record.automatic && record.status === 'approved'
        ? `approved automatically by a passing service-run evaluation ${record.passingEvaluationId ?? ''}`.trim()
        : null,
  };
}
