import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { ApiProperty } from '@nestjs/swagger';
import {
  DECISION_CLASSES,
  type DecisionClass,
  RISK_TIERS,
  type RiskTier,
} from '../../model.events';
import {
  STINT_ENDS,
  STINT_STARTS,
  type StintEnd,
  type StintStart,
} from '../../../deployments/queries/deployments-as-of/version-deployments';
import { MODEL_VERSION_STATUSES, type ModelVersionStatus } from './version-status';

export class ModelSummaryView {
  @ApiProperty({ example: 'credit-risk' }) name!: string;
  @ApiProperty({ example: '1.4.0', description: 'The most recently registered version' })
  latestVersion!: string;
  @ApiProperty({ example: 4 }) versionCount!: number;
  @ApiProperty({
    example: 'head-of-credit-risk',
    description: 'Owner on the latest version’s card',
  })
  owner!: string;
  @ApiProperty({ enum: RISK_TIERS, description: 'Of the latest version' }) riskTier!: RiskTier;
  @ApiProperty({ enum: DECISION_CLASSES, description: 'Of the latest version' })
  decisionClass!: DecisionClass;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;
}

export class ModelListView {
  @ApiProperty({
    type: [ModelSummaryView],
    description: 'In the requested sort (default: by name)',
  })
  items!: ModelSummaryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: NEXT_CURSOR,
  })
  nextCursor!: string | null;
}

export class ModelVersionSummaryView {
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ enum: MODEL_VERSION_STATUSES }) status!: ModelVersionStatus;
  @ApiProperty({ enum: RISK_TIERS }) riskTier!: RiskTier;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
}

export class ModelDeploymentView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Serves all traffic, or the share the canary does not take',
  })
  version!: string | null;
  @ApiProperty({ type: String, nullable: true }) canaryVersion!: string | null;
  @ApiProperty({ type: Number, nullable: true }) canaryPercent!: number | null;
  @ApiProperty({ example: 'full' }) strategy!: string;
  @ApiProperty({ enum: ['active', 'inactive', 'retired'] }) status!: string;
}

export class ModelView extends ModelSummaryView {
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: [ModelVersionSummaryView], description: 'In registration order' })
  versions!: ModelVersionSummaryView[];
  @ApiProperty({ type: [ModelDeploymentView], description: 'One per environment' })
  deployments!: ModelDeploymentView[];
}

export class DatasetVersionFactView {
  @ApiProperty({ example: 'loan-applications' }) name!: string;
  @ApiProperty({ example: '2026-02' }) version!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}` }) contentHash!: string;
}

export class ModelCardView {
  @ApiProperty({ enum: RISK_TIERS }) riskTier!: RiskTier;
  @ApiProperty({ enum: DECISION_CLASSES }) decisionClass!: DecisionClass;
  @ApiProperty({ type: [String], example: ['financial'] }) personalInformationKinds!: string[];
  @ApiProperty() decisions!: string;
  @ApiProperty() intendedUse!: string;
  @ApiProperty({ type: [String] }) limitations!: string[];
  @ApiProperty() owner!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null for in-house models' })
  vendor!: string | null;
  @ApiProperty({ type: String, nullable: true }) explainability!: string | null;
  @ApiProperty({ type: String, nullable: true }) humanOversight!: string | null;
  @ApiProperty({ type: String, nullable: true }) consumerDisclosure!: string | null;
  @ApiProperty({ type: String, nullable: true }) monitoringCadence!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Who last changed the card' })
  updatedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
}

export class FairnessResultView {
  @ApiProperty({ example: 'age-band' }) attribute!: string;
  @ApiProperty({ example: 'demographic-parity-ratio' }) metric!: string;
  @ApiProperty() value!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  groups!: Record<string, number>;
  @ApiProperty() passed!: boolean;
}

export class EvaluationBaselineView {
  @ApiProperty({ type: String, nullable: true }) version!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  metrics!: Record<string, number>;
}

export class ModelEvaluationView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: DatasetVersionFactView }) datasetVersion!: DatasetVersionFactView;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  metrics!: Record<string, number>;
  @ApiProperty({ type: EvaluationBaselineView, nullable: true })
  baseline!: EvaluationBaselineView | null;
  @ApiProperty({ type: [FairnessResultView] }) fairness!: FairnessResultView[];
  @ApiProperty({ enum: ['pass', 'fail'] }) verdict!: 'pass' | 'fail';
  @ApiProperty() evaluatedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) evaluatedAt!: string;
}

export class ApproverView {
  @ApiProperty() stage!: number;
  @ApiProperty({ example: 'risk-manager' }) role!: string;
  @ApiProperty() sub!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

export class ModelVersionApprovalView {
  @ApiProperty() approvalId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ example: `sha256:${'7a'.repeat(32)}` }) evidenceDigest!: string;
  @ApiProperty({ type: [ApproverView] }) approvers!: ApproverView[];
  @ApiProperty({ type: String, format: 'date-time' }) approvedAt!: string;
}

export class ServingShareView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ enum: ['primary', 'canary'] }) role!: 'primary' | 'canary';
  @ApiProperty({ description: 'Share of the environment’s traffic it takes', example: 90 })
  percent!: number;
  @ApiProperty({ example: 'canary', description: 'The deployment’s: canary while a canary runs' })
  strategy!: string;
}

export class VersionDeploymentView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({
    enum: ['full', 'canary'],
    description: 'canary: it took a canary’s share; full: all traffic, or what a canary left',
  })
  strategy!: 'full' | 'canary';
  @ApiProperty({ type: Number, nullable: true, example: 10, description: 'A canary’s share' })
  canaryPercent!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The approval its rollout here cited; null when none was needed',
  })
  approvalId!: string | null;
  @ApiProperty({
    enum: STINT_STARTS,
    description:
      'deployed: a rollout of it; promoted: its canary took all traffic; restored: a rollback returned to it',
  })
  started!: StintStart;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'uuid', description: 'The event that started it' })
  startEventId!: string;
  @ApiProperty({
    enum: STINT_ENDS,
    nullable: true,
    description:
      'promoted: its canary took all traffic (a full spell follows); rolled-back; retired: the deployment was; replaced: another rollout or promotion took its place; null: still serving',
  })
  ended!: StintEnd | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The event that ended it',
  })
  endEventId!: string | null;
}

export class RetirementView {
  @ApiProperty() reason!: string;
  @ApiProperty() retiredBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) retiredAt!: string;
}

export class OnnxValueInfoView {
  @ApiProperty({ example: 'features' }) name!: string;
  @ApiProperty({ enum: ['tensor', 'sequence', 'map', 'optional', 'sparse-tensor', 'unknown'] })
  kind!: string;
  @ApiProperty({ type: String, nullable: true, example: 'float32' }) elementType!: string | null;
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
    nullable: true,
    example: ['N', 4],
    description: 'A number, a symbolic dimension name, or null when unnamed; null: rank unknown',
  })
  shape!: (number | string | null)[] | null;
}

export class OnnxOpsetView {
  @ApiProperty({ example: '', description: "'' is the default ONNX domain" }) domain!: string;
  @ApiProperty({ example: 17 }) version!: number;
}

export class OnnxOperatorView {
  @ApiProperty({ example: '' }) domain!: string;
  @ApiProperty({ example: 'MatMul' }) opType!: string;
}

/** The version's stored ONNX file (PUT …/artifact), as ModelArtifactStored recorded it. */
export class ModelArtifactView {
  @ApiProperty({ example: `sha256:${'5e'.repeat(32)}` }) digest!: string;
  @ApiProperty({ example: 1234 }) size!: number;
  @ApiProperty({ example: 8 }) irVersion!: number;
  @ApiProperty({ example: 'skl2onnx' }) producerName!: string;
  @ApiProperty({ example: '1.17.0' }) producerVersion!: string;
  @ApiProperty({ type: [OnnxOpsetView] }) opsets!: OnnxOpsetView[];
  @ApiProperty({ type: [OnnxOperatorView], description: 'Sorted, unique' })
  operators!: OnnxOperatorView[];
  @ApiProperty({ type: [OnnxValueInfoView] }) inputs!: OnnxValueInfoView[];
  @ApiProperty({ type: [OnnxValueInfoView] }) outputs!: OnnxValueInfoView[];
  @ApiProperty({ example: 'probability', description: 'The first float tensor output' })
  scoreOutput!: string;
  @ApiProperty({ example: '1.30.0' }) onnxruntimeVersion!: string;
  @ApiProperty() storedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) storedAt!: string;
}

export class ModelVersionView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({
    enum: MODEL_VERSION_STATUSES,
    description:
      'retired; else deployed when it serves in an active deployment; else approved when any approval was granted; else registered',
  })
  status!: ModelVersionStatus;
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ description: 'Who started the training run' }) trainedBy!: string;
  @ApiProperty({ type: [DatasetVersionFactView] }) datasetVersions!: DatasetVersionFactView[];
  @ApiProperty({ example: `sha256:${'5e'.repeat(32)}` }) artifactDigest!: string;
  @ApiProperty({
    type: ModelArtifactView,
    nullable: true,
    description: 'The stored ONNX file; null until PUT …/artifact stores it',
  })
  artifact!: ModelArtifactView | null;
  @ApiProperty({ type: ModelCardView, description: 'The card as it currently stands' })
  card!: ModelCardView;
  @ApiProperty() registeredBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: RetirementView, nullable: true }) retirement!: RetirementView | null;
  @ApiProperty({ type: [ModelEvaluationView], description: 'In ledger order' })
  evaluations!: ModelEvaluationView[];
  @ApiProperty({ type: [ModelVersionApprovalView] }) approvals!: ModelVersionApprovalView[];
  @ApiProperty({
    type: [ServingShareView],
    description: 'Where it serves now (as of the instant asked): each deployment, role and share',
  })
  deployments!: ServingShareView[];
  @ApiProperty({
    type: [VersionDeploymentView],
    description:
      'Every spell it served in a deployment, oldest first: how each started and how it ended',
  })
  deploymentHistory!: VersionDeploymentView[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it first served anywhere; null if never deployed',
  })
  firstDeployedAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it last stopped serving; null while it serves, or if never deployed',
  })
  lastServedUntil!: string | null;
}
