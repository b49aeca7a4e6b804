import { ApiProperty } from '@nestjs/swagger';
import { DECISION_CLASSES, RISK_TIERS } from '../../../model-registry/model.events';
import { ADM_GAP_CODES, type AdmGapCode } from './adm-gaps';
import { ADM_TRANSPARENCY_IN_FORCE_FROM } from './reporting-period';

export class EventRefView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({
    enum: ['ModelDeployed', 'DeploymentPromoted', 'DeploymentRolledBack', 'DeploymentRetired'],
  })
  eventType!: string;
}

export class ServingPeriodView {
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-01-20T09:00:00.000Z',
    description: 'When it started serving, or the start of the reporting period if earlier',
  })
  servedFrom!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-03-10T09:00:00.000Z',
    description: 'When it stopped serving; null when it still served at the end of the period',
  })
  servedTo!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-01-20T09:00:00.000Z',
    description: 'When this serving period began (may precede the reporting period)',
  })
  startedAt!: string;

  @ApiProperty({ enum: ['full', 'canary'], description: 'How it began to serve' })
  startedAs!: 'full' | 'canary';

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-02-01T09:00:00.000Z',
    description: 'When it took all traffic; null if it served only as a canary up to the end',
  })
  fullTrafficFrom!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The approval its rollout cited (a version rolled back to keeps its own)',
  })
  approvalId!: string | null;

  @ApiProperty({ type: EventRefView, description: 'The deployment event that began it' })
  startedBy!: EventRefView;

  @ApiProperty({
    type: EventRefView,
    nullable: true,
    description: 'The event that ended it (replaced, rolled back, retired); null if serving',
  })
  endedBy!: EventRefView | null;
}

export class AdmEnvironmentView {
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ example: 'credit-decision.production' }) deploymentId!: string;
  @ApiProperty({ type: [ServingPeriodView], description: 'Oldest first' })
  periods!: ServingPeriodView[];
}

export class AdmApproverView {
  @ApiProperty({ example: 0, description: '0-based, in the order granted' }) stage!: number;
  @ApiProperty({ example: 'risk-manager' }) role!: string;
  @ApiProperty({ example: 'rick' }) sub!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

export class AdmApprovalView {
  @ApiProperty({ format: 'uuid' }) approvalId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ type: String, format: 'date-time' }) approvedAt!: string;
  @ApiProperty({ type: [AdmApproverView] }) approvers!: AdmApproverView[];
  @ApiProperty({
    description:
      'Approved with no person deciding: a low-risk tier with no stage, approved by a passing service-run evaluation (approvers empty)',
  })
  automatic!: boolean;
  @ApiProperty({
    example: 'rick, carol',
    description:
      'Who approved it, in words: the approvers in stage order, or "Automatic (low risk, passing evaluation <id>)"',
  })
  approvedBy!: string;
}

export class AdmEvaluationSummaryView {
  @ApiProperty({ example: 2, description: 'Recorded before the end of the period' })
  count!: number;
  @ApiProperty({ example: 2, description: 'Of which with verdict pass' }) passing!: number;
}

export class AdmGapView {
  @ApiProperty({ enum: ADM_GAP_CODES }) code!: AdmGapCode;
  @ApiProperty({ type: String, nullable: true, example: null }) environment!: string | null;
  @ApiProperty({
    example:
      'deployed, but its model card records no kinds of personal information (APP 1.8 requires them)',
  })
  detail!: string;
}

export class AdmRegisterEntryView {
  @ApiProperty({ example: 'credit-decision' }) model!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ enum: DECISION_CLASSES.filter((c) => c !== 'advisory') })
  decisionClass!: string;
  @ApiProperty({ enum: RISK_TIERS }) riskTier!: string;
  @ApiProperty({
    type: [String],
    example: ['financial', 'identity'],
    description:
      'Kinds of personal information it uses, as its card stood at the end of the period',
  })
  personalInformationKinds!: string[];
  @ApiProperty({ example: 'approve or decline unsecured personal loan applications' })
  decisions!: string;
  @ApiProperty({ example: 'head-of-credit-risk' }) owner!: string;
  @ApiProperty({ type: String, nullable: true, example: null }) vendor!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    description: 'The event that set the card facts shown (registration or last card update)',
  })
  cardEventId!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it was retired in the registry, if before the end of the period',
  })
  retiredAt!: string | null;
  @ApiProperty({ type: [AdmEnvironmentView], description: 'Where it served during the period' })
  environments!: AdmEnvironmentView[];
  @ApiProperty({
    type: [AdmApprovalView],
    description: 'Approvals granted before the end of the period',
  })
  approvals!: AdmApprovalView[];
  @ApiProperty({ type: AdmEvaluationSummaryView }) evaluations!: AdmEvaluationSummaryView;
  @ApiProperty({ type: [AdmGapView], description: 'Empty when nothing is missing' })
  gaps!: AdmGapView[];
}

export class AdmObligationView {
  @ApiProperty({ example: 'Privacy Act 1988 APP 1.7–1.9 (automated decision-making)' })
  reference!: string;
  @ApiProperty({ format: 'date', example: ADM_TRANSPARENCY_IN_FORCE_FROM })
  inForceFrom!: string;
  @ApiProperty({ description: 'Whether it was in force on `to`, the last day of the period' })
  inForce!: boolean;
}

export class AdmPeriodView {
  @ApiProperty({ format: 'date', example: '2026-01-01' }) from!: string;
  @ApiProperty({ format: 'date', example: '2026-12-31', description: 'Inclusive' }) to!: string;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' }) start!: string;
  @ApiProperty({
    format: 'date-time',
    example: '2027-01-01T00:00:00.000Z',
    description: 'Exclusive: the day after `to` at 00:00Z',
  })
  end!: string;
}

export class AdmRegisterView {
  @ApiProperty({ type: AdmPeriodView }) period!: AdmPeriodView;
  @ApiProperty({ type: AdmObligationView }) obligation!: AdmObligationView;
  @ApiProperty({
    type: [AdmRegisterEntryView],
    description:
      'Every model version that served during the period whose decision class is solely-automated or substantially-assists, by model then version',
  })
  entries!: AdmRegisterEntryView[];
}

const APPROVAL = '0195a3c1-7e0a-7000-8a00-0000000000a1';

/** The example OpenAPI shows for GET /compliance/adm-register. */
export const ADM_REGISTER_EXAMPLE: AdmRegisterView = {
  period: {
    from: '2026-01-01',
    to: '2026-12-31',
    start: '2026-01-01T00:00:00.000Z',
    end: '2027-01-01T00:00:00.000Z',
  },
  obligation: {
    reference: 'Privacy Act 1988 APP 1.7–1.9 (automated decision-making)',
    inForceFrom: ADM_TRANSPARENCY_IN_FORCE_FROM,
    inForce: true,
  },
  entries: [
    {
      model: 'credit-decision',
      version: '1.0.0',
      decisionClass: 'solely-automated',
      riskTier: 'high',
      personalInformationKinds: ['financial', 'identity'],
      decisions: 'approve or decline unsecured personal loan applications',
      owner: 'head-of-credit-risk',
      vendor: null,
      cardEventId: '0195a3c1-7e0a-7000-8a00-0000000000c1',
      retiredAt: null,
      environments: [
        {
          environment: 'production',
          deploymentId: 'credit-decision.production',
          periods: [
            {
              servedFrom: '2026-01-20T09:00:00.000Z',
              servedTo: '2026-03-10T09:00:00.000Z',
              startedAt: '2026-01-20T09:00:00.000Z',
              startedAs: 'canary',
              fullTrafficFrom: '2026-02-01T09:00:00.000Z',
              approvalId: APPROVAL,
              startedBy: {
                eventId: '0195a3c1-7e0a-7000-8a00-0000000000d1',
                eventType: 'ModelDeployed',
              },
              endedBy: {
                eventId: '0195a3c1-7e0a-7000-8a00-0000000000d2',
                eventType: 'ModelDeployed',
              },
            },
            {
              servedFrom: '2026-03-12T09:00:00.000Z',
              servedTo: null,
              startedAt: '2026-03-12T09:00:00.000Z',
              startedAs: 'full',
              fullTrafficFrom: '2026-03-12T09:00:00.000Z',
              approvalId: APPROVAL,
              startedBy: {
                eventId: '0195a3c1-7e0a-7000-8a00-0000000000d3',
                eventType: 'DeploymentRolledBack',
              },
              endedBy: null,
            },
          ],
        },
      ],
      approvals: [
        {
          approvalId: APPROVAL,
          environment: 'production',
          approvedAt: '2026-01-18T09:00:00.000Z',
          approvers: [
            { stage: 0, role: 'risk-manager', sub: 'rick', at: '2026-01-17T09:00:00.000Z' },
            { stage: 1, role: 'compliance-officer', sub: 'carol', at: '2026-01-18T09:00:00.000Z' },
          ],
          automatic: false,
          approvedBy: 'rick, carol',
        },
      ],
      evaluations: { count: 1, passing: 1 },
      gaps: [],
    },
    {
      model: 'collections-priority',
      version: '1.0.0',
      decisionClass: 'substantially-assists',
      riskTier: 'medium',
      personalInformationKinds: [],
      decisions: 'rank overdue accounts for hardship outreach',
      owner: 'head-of-collections',
      vendor: null,
      cardEventId: '0195a3c1-7e0a-7000-8a00-0000000000c2',
      retiredAt: null,
      environments: [
        {
          environment: 'staging',
          deploymentId: 'collections-priority.staging',
          periods: [
            {
              servedFrom: '2026-01-15T09:00:00.000Z',
              servedTo: null,
              startedAt: '2026-01-15T09:00:00.000Z',
              startedAs: 'full',
              fullTrafficFrom: '2026-01-15T09:00:00.000Z',
              approvalId: null,
              startedBy: {
                eventId: '0195a3c1-7e0a-7000-8a00-0000000000d4',
                eventType: 'ModelDeployed',
              },
              endedBy: null,
            },
          ],
        },
      ],
      approvals: [],
      evaluations: { count: 0, passing: 0 },
      gaps: [
        {
          code: 'no-personal-information-kinds',
          environment: null,
          detail:
            'deployed, but its model card records no kinds of personal information (APP 1.8 requires them)',
        },
        { code: 'no-evaluation', environment: null, detail: 'no evaluation recorded' },
      ],
    },
  ],
};
