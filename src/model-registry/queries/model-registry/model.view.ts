import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { RULE_NAMES, type RuleName, type RuleStatus } from '../../../evaluation/evaluation-policy';

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

/** Every input of an evaluation Attest ran, by digest or version. */
export class EvaluationInputsView {
  @ApiProperty({ example: `sha256:${'5e'.repeat(32)}`, description: 'The candidate’s ONNX file' })
  artifactDigest!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}`, description: 'The holdout’s stored data' })
  datasetContentHash!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The champion’s ONNX file; null: none',
  })
  championArtifactDigest!: string | null;
  @ApiProperty({ example: '1.23.2' }) onnxruntimeVersion!: string;
  @ApiProperty({ example: '0.1.0' }) attestVersion!: string;
  @ApiProperty({
    example: 0,
    description: 'The evaluation policy version in force; 0 while only the default policy exists',
  })
  policyVersion!: number;
}

export class EvaluationSettingsView {
  @ApiProperty({ example: 'default' }) labelColumn!: string;
  @ApiProperty({ example: '1', description: 'The label value that counts as positive' })
  positiveLabel!: string;
  @ApiProperty({ example: 0.5, description: 'Score at or above it: predicted positive' })
  threshold!: number;
  @ApiProperty({ type: [String], example: ['age_band', 'sex'] }) protectedAttributes!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    example: { features: ['income', 'debt_ratio', 'age', 'credit_history_months'] },
    description: 'Model input name → the column (or columns, in order) it was fed from',
  })
  columns!: Record<string, string | string[]>;
  @ApiProperty({ type: String, nullable: true }) pipelineScoreColumn!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The champion version compared with' })
  champion!: string | null;
  @ApiProperty({ example: 'probability' }) scoreOutput!: string;
}

export class HosmerLemeshowView {
  @ApiProperty() statistic!: number;
  @ApiProperty() degreesOfFreedom!: number;
  @ApiProperty({ type: Number, nullable: true }) pValue!: number | null;
}

export class EvaluationMetricsView {
  @ApiProperty() auc!: number;
  @ApiProperty() gini!: number;
  @ApiProperty() ks!: number;
  @ApiProperty() brier!: number;
  @ApiProperty() accuracy!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Null when 0/0' })
  precision!: number | null;
  @ApiProperty({ type: Number, nullable: true }) recall!: number | null;
  @ApiProperty({ type: Number, nullable: true }) f1!: number | null;
  @ApiProperty({ description: 'Expected calibration error over 10 equal-count bins' })
  ece!: number;
  @ApiProperty({ type: HosmerLemeshowView }) hosmerLemeshow!: HosmerLemeshowView;
}

export class CalibrationBinView {
  @ApiProperty() count!: number;
  @ApiProperty() minPredicted!: number;
  @ApiProperty() maxPredicted!: number;
  @ApiProperty() meanPredicted!: number;
  @ApiProperty() observedRate!: number;
}

/** Candidate − champion AUC on the same rows, paired DeLong. */
export class ChampionComparisonView {
  @ApiProperty({ description: 'The champion’s AUC' }) auc!: number;
  @ApiProperty({ description: 'Candidate − champion AUC' }) difference!: number;
  @ApiProperty() standardError!: number;
  @ApiProperty({ type: Number, nullable: true }) z!: number | null;
  @ApiProperty({ type: Number, nullable: true }) pValue!: number | null;
  @ApiProperty() lower95!: number;
  @ApiProperty() upper95!: number;
}

export class MeasuredGroupView {
  @ApiProperty({ example: '<25' }) group!: string;
  @ApiProperty({ description: 'Rows of the group' }) count!: number;
  @ApiProperty() selectionRate!: number;
  @ApiProperty({ type: Number, nullable: true }) tpr!: number | null;
  @ApiProperty({ type: Number, nullable: true }) fpr!: number | null;
}

export class MeasuredFairnessView {
  @ApiProperty({ example: 'age_band' }) attribute!: string;
  @ApiProperty({ type: [MeasuredGroupView] }) groups!: MeasuredGroupView[];
  @ApiProperty({ type: Number, nullable: true }) demographicParityRatio!: number | null;
  @ApiProperty({ type: Number, nullable: true }) demographicParityDifference!: number | null;
  @ApiProperty({ type: Number, nullable: true }) equalizedOddsRatio!: number | null;
  @ApiProperty({ type: Number, nullable: true }) equalizedOddsDifference!: number | null;
  @ApiProperty({ type: Number, nullable: true }) equalOpportunityDifference!: number | null;
}

export class PipelineAgreementView {
  @ApiProperty({ example: 'pipeline_score' }) column!: string;
  @ApiProperty({ description: 'Largest |pipeline score − onnxruntime score|' })
  maxAbsoluteDifference!: number;
}

export class EvaluationMeasuresView {
  @ApiProperty() rows!: number;
  @ApiProperty() positives!: number;
  @ApiProperty({ type: EvaluationMetricsView }) metrics!: EvaluationMetricsView;
  @ApiProperty({ type: [CalibrationBinView] }) calibrationBins!: CalibrationBinView[];
  @ApiProperty({ type: ChampionComparisonView, nullable: true, description: 'Null: no champion' })
  champion!: ChampionComparisonView | null;
  @ApiProperty({ type: [MeasuredFairnessView] }) fairness!: MeasuredFairnessView[];
  @ApiProperty({ type: PipelineAgreementView, nullable: true })
  pipelineAgreement!: PipelineAgreementView | null;
}

export class RuleResultView {
  @ApiProperty({ enum: RULE_NAMES }) rule!: RuleName;
  @ApiPropertyOptional({ description: 'The protected attribute, for fairness rules' })
  attribute?: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The value compared (for maxAucDrop: the interval’s lower bound); null if none',
  })
  value!: number | null;
  @ApiProperty() threshold!: number;
  @ApiProperty({ enum: ['>=', '<='] }) comparison!: '>=' | '<=';
  @ApiProperty({ enum: ['pass', 'fail', 'not-assessable', 'skipped'] }) status!: RuleStatus;
  @ApiPropertyOptional({ description: 'Why it was not assessed or skipped' })
  reason?: string;
}

export class EvaluationVerdictView {
  @ApiProperty({ enum: ['pass', 'fail', 'not-assessable'] })
  outcome!: 'pass' | 'fail' | 'not-assessable';
  @ApiProperty({ description: 'True only when the outcome is pass' }) passed!: boolean;
  @ApiProperty({ type: [RuleResultView] }) results!: RuleResultView[];
}

/** An evaluation Attest ran itself: with what, what it measured, and the policy's verdict. */
export class ServiceEvaluationView {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ type: EvaluationInputsView }) inputs!: EvaluationInputsView;
  @ApiProperty({ type: EvaluationSettingsView }) settings!: EvaluationSettingsView;
  @ApiProperty({ type: EvaluationMeasuresView }) measures!: EvaluationMeasuresView;
  @ApiProperty({ type: EvaluationVerdictView }) verdict!: EvaluationVerdictView;
}

export class ModelEvaluationView {
  @ApiProperty() id!: string;
  @ApiProperty({
    enum: ['pipeline', 'attest'],
    description:
      'attest: Attest scored the stored artifact on the stored data itself; pipeline: the pipeline posted the figures',
  })
  performedBy!: 'pipeline' | 'attest';
  @ApiProperty({
    type: ServiceEvaluationView,
    nullable: true,
    description: 'What Attest ran and measured; null for an evaluation the pipeline posted',
  })
  service!: ServiceEvaluationView | null;
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
