import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STAGE_ROLES } from '../../approvals/approval.events';
import { APPROVAL_STATUSES } from '../../approvals/approval-status';
import { ALERT_KINDS, ALERT_SEVERITIES } from '../../monitoring/monitoring.events';
import { ALERT_STATUSES } from '../../monitoring/queries/alerts/alert.view';
import { DECISION_CLASSES, RISK_TIERS } from '../../model-registry/model.events';
import { ADM_GAP_CODES } from '../queries/adm-register/adm-gaps';
import {
  type AsicReport,
  type InventoryEntry,
  type OaicReport,
  SERVICE_EVALUATION_GAPS,
  type ServiceEvaluationGap,
} from './compliance-reports';

/**
 * The JSON of GET /compliance/reports/{report} as OpenAPI describes it (README, Compliance
 * reports; sections in reports/README.md). The shapes are those of AsicReport and OaicReport in
 * compliance-reports.ts; the checks at the end of this file fail the build while a field the
 * service sends is missing here.
 */

const SHA256_HEX = 'hex SHA-256';

export class ReportPeriodView {
  @ApiProperty({ format: 'date', example: '2026-01-01', description: 'First day' }) from!: string;
  @ApiProperty({ format: 'date', example: '2026-12-31', description: 'Last day, inclusive' })
  to!: string;
}

export class ReportCheckpointView {
  @ApiProperty({ example: 'attest', description: 'LEDGER_LOG_ID of the installation' })
  logId!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events the signed tree holds' })
  treeSize!: number;
  @ApiProperty({ description: `RFC 9162 root hash, ${SHA256_HEX}` }) rootHash!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ description: 'Thumbprint (RFC 7638) of the key, as in /.well-known/jwks.json' })
  keyId!: string;
  @ApiProperty({ description: 'Compact JWS over {logId, treeSize, rootHash, timestamp}' })
  jws!: string;
}

export class EvidenceCountView {
  @ApiProperty({ example: 'ModelVersionRegistered' }) eventType!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Events of that type recorded in the period',
  })
  count!: number;
}

export class MappedAnswerView {
  @ApiProperty({ example: 'inventory' }) id!: string;
  @ApiProperty({ description: 'The question a regulator asks, or the guardrail’s words' })
  text!: string;
  @ApiPropertyOptional({
    description: 'Guardrails: the practice of the Guidance for AI Adoption that carries it on',
  })
  practice?: string;
  @ApiProperty({ type: [EvidenceCountView] }) evidence!: EvidenceCountView[];
  @ApiProperty({
    enum: ['covered', 'partly', 'missing'],
    description: 'How far the events recorded in the period evidence it',
  })
  status!: 'covered' | 'partly' | 'missing';
}

const REPORT_BASE_DESCRIPTION = {
  report: 'Which report',
  model: 'The model a report on one model covers; null for the portfolio',
  citedEvents: 'Events cited under the checkpoint (the PDF’s appendix lists each)',
};

export class ReportServingView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ enum: ['primary', 'canary'] }) role!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, description: 'Share of its traffic' })
  percent!: number;
}

export class InventoryEntryView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({
    enum: ['in development', 'approved', 'deployed', 'previously deployed', 'retired'],
    description:
      'Its status at the end of the period (now, for a period not yet over): deployed only while it serves',
  })
  stage!: InventoryEntry['stage'];
  @ApiProperty({ enum: RISK_TIERS }) riskTier!: string;
  @ApiProperty({ enum: DECISION_CLASSES }) decisionClass!: string;
  @ApiProperty({ example: 'head-of-credit-risk' }) owner!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Third-party supplier, if any' })
  vendor!: string | null;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retiredAt!: string | null;
  @ApiProperty({
    type: [String],
    example: ['production'],
    description: 'Environments it serves in at the end of the period',
  })
  environments!: string[];
  @ApiProperty({ type: [ReportServingView], description: 'Where it serves then' })
  serving!: ReportServingView[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it first served anywhere; null if never deployed by then',
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

export class ReportApproverView {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Stage, numbered from 0' })
  stage!: number;
  @ApiProperty({ enum: STAGE_ROLES }) role!: string;
  @ApiProperty({ example: 'rick', description: 'Who granted it (token subject)' }) sub!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ReportApprovalView {
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ enum: APPROVAL_STATUSES }) status!: string;
  @ApiProperty({ type: [ReportApproverView], description: 'Stages granted, in stage order' })
  approvers!: ReportApproverView[];
  @ApiProperty({
    description:
      'Approved with no person deciding: a low-risk tier with no stage, approved by a passing service-run evaluation (approvers empty)',
  })
  automatic!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The passing service-run evaluation the request relied on, if one was required',
  })
  evaluationId!: string | null;
}

export class AccountabilityView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ example: 'head-of-credit-risk' }) owner!: string;
  @ApiProperty({ type: [ReportApprovalView] }) approvals!: ReportApprovalView[];
}

export class FairnessView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) evaluations!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) fairnessChecks!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) fairnessFailed!: number;
  @ApiProperty({ type: String, nullable: true }) explainability!: string | null;
  @ApiProperty({ type: String, nullable: true }) consumerDisclosure!: string | null;
  @ApiProperty({ type: String, nullable: true }) humanOversight!: string | null;
}

export class ThirdPartyView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ example: 'Acme Scoring Pty Ltd' }) vendor!: string;
}

export class ReportAlertView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity!: string;
  @ApiProperty({ enum: ALERT_KINDS }) kind!: string;
  @ApiProperty({ example: 'PSI on annual_income above 0.25' }) summary!: string;
  @ApiProperty({ format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status!: string;
}

export class ReportRollbackView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The version taken out' })
  fromVersion!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The version serving again' })
  toVersion!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Taken by a monitor' })
  automatic!: boolean | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ReportMonitoringView {
  @ApiProperty({ type: [ReportAlertView], description: 'Alerts raised in the period' })
  alerts!: ReportAlertView[];
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Monitoring signals over their threshold in the period',
  })
  breachedSignals!: number;
  @ApiProperty({ type: [ReportRollbackView], description: 'Rollbacks in the period' })
  rollbacks!: ReportRollbackView[];
}

export class OpenFindingView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null for a finding on a deployment' })
  version!: string | null;
  @ApiProperty({ example: 'deployed without a passing evaluation' }) finding!: string;
  @ApiPropertyOptional({
    example: 'production',
    description:
      'Set on a finding that a version served in this environment during the period without a passing evaluation computed by Attest',
  })
  environment?: string;
  @ApiPropertyOptional({
    enum: SERVICE_EVALUATION_GAPS,
    description:
      'What it lacks there: none (no evaluation Attest ran for the environment, and none posted), failed (Attest ran one or more, none passed), pipeline-only (only evaluations the pipeline posted)',
  })
  serviceEvaluation?: ServiceEvaluationGap;
}

/** What every report states besides its own sections (README: Compliance reports). */
export abstract class ReportBaseView {
  @ApiProperty({ example: 'ASIC model governance report' }) title!: string;
  @ApiProperty({ description: 'The regulatory documents the report answers to' }) basis!: string;
  @ApiProperty({ type: [String], description: 'Section titles, in order' }) sections!: string[];
  @ApiProperty({ type: ReportPeriodView }) period!: ReportPeriodView;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: REPORT_BASE_DESCRIPTION.model })
  model!: string | null;
  @ApiProperty({ type: ReportCheckpointView, description: 'The checkpoint the citations lead to' })
  checkpoint!: ReportCheckpointView;
  @ApiProperty({ type: 'integer', minimum: 0, description: REPORT_BASE_DESCRIPTION.citedEvents })
  citedEvents!: number;
  @ApiProperty({ type: [MappedAnswerView], description: 'The report’s questions, each rated' })
  obligations!: MappedAnswerView[];
  @ApiProperty({ type: [MappedAnswerView], description: 'The guardrails, each rated' })
  guardrails!: MappedAnswerView[];
}

export class AsicReportView extends ReportBaseView {
  @ApiProperty({ enum: ['asic-model-governance'], description: REPORT_BASE_DESCRIPTION.report })
  report!: 'asic-model-governance';
  @ApiProperty({
    type: [InventoryEntryView],
    description: 'Every model version registered by then',
  })
  inventory!: InventoryEntryView[];
  @ApiProperty({ type: [AccountabilityView] }) accountability!: AccountabilityView[];
  @ApiProperty({ type: [FairnessView] }) fairness!: FairnessView[];
  @ApiProperty({ type: [ThirdPartyView], description: 'Versions supplied by a vendor' })
  thirdParty!: ThirdPartyView[];
  @ApiProperty({ type: ReportMonitoringView }) monitoring!: ReportMonitoringView;
  @ApiProperty({ type: [OpenFindingView] }) openFindings!: OpenFindingView[];
}

export class PersonalInformationView {
  @ApiProperty({ example: 'credit-applications' }) dataset!: string;
  @ApiProperty({ example: '2026-01' }) version!: string;
  @ApiProperty({ type: [String], example: ['financial', 'identity'] }) kinds!: string[];
  @ApiProperty({ description: 'Holds sensitive information (Privacy Act s 6)' })
  sensitive!: boolean;
  @ApiProperty({ type: String, nullable: true }) lawfulBasis!: string | null;
  @ApiProperty({ type: String, nullable: true }) collectionNotice!: string | null;
  @ApiProperty({ type: String, nullable: true }) purpose!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601 duration' })
  retention!: string | null;
  @ApiProperty({ example: 'ap-southeast-2' }) region!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Privacy impact assessment' })
  piaId!: string | null;
  @ApiProperty({
    type: [String],
    example: ['credit-risk@1.4.0'],
    description: 'Model versions trained on it, as model@version',
  })
  modelVersions!: string[];
}

export class ReportAdmEntryView {
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ enum: DECISION_CLASSES }) decisionClass!: string;
  @ApiProperty({ type: [String], example: ['financial'] }) personalInformationKinds!: string[];
  @ApiProperty({ example: 'approve or refer a consumer credit application' }) decisions!: string;
  @ApiProperty({ type: [String], example: ['production'] }) environments!: string[];
  @ApiProperty({ enum: ADM_GAP_CODES, isArray: true, description: 'What the register lacks' })
  gaps!: string[];
}

export class ReportAdmView {
  @ApiProperty({ description: 'Whether the ADM transparency duty is in force by the period’s end' })
  inForce!: boolean;
  @ApiProperty({ format: 'date' }) inForceFrom!: string;
  @ApiProperty({ type: [ReportAdmEntryView] }) entries!: ReportAdmEntryView[];
}

export class NotRecordedView {
  @ApiProperty({ enum: [false], description: 'Attest records none of these' }) recorded!: false;
  @ApiProperty({ description: 'Where they are kept instead' }) note!: string;
}

export class ReportAffectedView {
  @ApiProperty({ type: 'integer', minimum: 0 }) datasetVersions!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) models!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) deployments!: number;
}

export class ReportAffectedItemView {
  @ApiProperty({ enum: ['dataset-version', 'model', 'deployment'] }) kind!:
    'dataset-version' | 'model' | 'deployment';
  @ApiProperty({
    example: 'credit-risk@1.4.0',
    description: '<name>@<version>, or a deployment as <model>.<environment>',
  })
  id!: string;
}

export class ReportAccountedItemView extends ReportAffectedItemView {
  @ApiProperty({ enum: ['replacement', 'retraining', 'exception'] }) by!:
    'replacement' | 'retraining' | 'exception';
  @ApiProperty({
    example: 'credit-risk@1.4.1',
    description: 'The replacement or retrained version, or the exception’s reason',
  })
  detail!: string;
  @ApiProperty({
    description:
      'True when the fulfilment was recorded before it had to say, and this is read from what it stated',
  })
  inferred!: boolean;
}

export class ReportExceptionView {
  @ApiProperty({ example: 'credit-risk@1.4.0' }) item!: string;
  @ApiProperty({ example: 'retained under the Anti-Money Laundering Act' }) reason!: string;
  @ApiPropertyOptional({
    type: ReportAffectedItemView,
    description: 'The affected item it keeps; absent if recorded before exceptions named one',
  })
  covers?: ReportAffectedItemView;
}

export class ReportDeletionRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'assessed' }) status!: string;
  @ApiProperty({ format: 'date' }) receivedOn!: string;
  @ApiProperty({ format: 'date' }) dueOn!: string;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Days to dueOn; null once fulfilled',
  })
  daysLeft!: number | null;
  @ApiProperty({
    type: ReportAffectedView,
    nullable: true,
    description: 'How much the newest assessment found; null before one',
  })
  affected!: ReportAffectedView | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fulfilledAt!: string | null;
  @ApiProperty({ type: [ReportExceptionView], description: 'Items kept, with the reason' })
  exceptions!: ReportExceptionView[];
  @ApiProperty({
    type: [ReportAccountedItemView],
    description:
      'How each affected item of a fulfilled request was accounted for (empty until fulfilled)',
  })
  accounting!: ReportAccountedItemView[];
  @ApiProperty({
    type: [ReportAffectedItemView],
    description:
      'Affected items a fulfilled request left unaccounted for: only history recorded before every item had to be accounted for',
  })
  unaccounted!: ReportAffectedItemView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set when a fulfilled request left affected items unaccounted for',
  })
  warning!: string | null;
}

export class OaicReportView extends ReportBaseView {
  @ApiProperty({ enum: ['oaic-privacy'], description: REPORT_BASE_DESCRIPTION.report })
  report!: 'oaic-privacy';
  @ApiProperty({
    type: [PersonalInformationView],
    description: 'Datasets holding personal information',
  })
  personalInformation!: PersonalInformationView[];
  @ApiProperty({ type: ReportAdmView, description: 'Automated decision-making (APP 1.7–1.9)' })
  adm!: ReportAdmView;
  @ApiProperty({ type: NotRecordedView, description: 'Access and correction (APP 12, 13)' })
  accessAndCorrection!: NotRecordedView;
  @ApiProperty({ type: [ReportDeletionRequestView] })
  deletionRequests!: ReportDeletionRequestView[];
  @ApiProperty({ type: NotRecordedView, description: 'Notifiable data breaches' })
  breaches!: NotRecordedView;
}

// The build fails while the service sends a field these views leave out.
type Covers<View, Sent> = View extends Sent ? true : never;
const _viewsCoverReports: [Covers<AsicReportView, AsicReport>, Covers<OaicReportView, OaicReport>] =
  [true, true];
