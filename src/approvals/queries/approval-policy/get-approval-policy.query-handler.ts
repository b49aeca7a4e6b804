import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { streams } from '../../../ledger/stream-names';
import { APPROVAL_POLICY_ID, approvalPolicyDecider } from '../../approval-policy.decider';
import { STAGE_ROLES, type StageRole } from '../../approval.events';

export class TierOverridesView {
  @ApiPropertyOptional({ enum: STAGE_ROLES, isArray: true }) stages?: StageRole[];
  @ApiPropertyOptional() requirePassingEvaluation?: boolean;
  @ApiPropertyOptional() requireGrantComment?: boolean;
}

@ApiExtraModels(TierOverridesView)
export class TierPolicyView {
  @ApiProperty({ enum: STAGE_ROLES, isArray: true, description: 'Roles that must grant, in order' })
  stages!: StageRole[];
  @ApiProperty() requirePassingEvaluation!: boolean;
  @ApiProperty({
    description:
      'A grant needs a (non-blank) comment; a policy recorded before this setting existed requires it for high only',
  })
  requireGrantComment!: boolean;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(TierOverridesView) },
    description:
      'Per environment, the settings that replace the tier’s there; absent when every environment is alike',
  })
  environments?: Record<string, TierOverridesView>;
}

export class ApprovalTiersView {
  @ApiProperty({ type: TierPolicyView }) low!: TierPolicyView;
  @ApiProperty({ type: TierPolicyView }) medium!: TierPolicyView;
  @ApiProperty({ type: TierPolicyView }) high!: TierPolicyView;
}

export class ApprovalPolicyView {
  @ApiProperty({ example: APPROVAL_POLICY_ID }) id!: string;
  @ApiProperty({ type: ApprovalTiersView }) tiers!: ApprovalTiersView;
  @ApiProperty({ description: 'True while no policy has been set: the built-in default applies' })
  isDefault!: boolean;
  @ApiProperty({ type: String, nullable: true }) setBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) setAt!: string | null;
}

export class GetApprovalPolicyQuery extends Query<ApprovalPolicyView> {}

/** Read from the policy stream itself: a handful of events, and the same fold the write side uses. */
@QueryHandler(GetApprovalPolicyQuery)
export class GetApprovalPolicyQueryHandler implements IQueryHandler<
  GetApprovalPolicyQuery,
  ApprovalPolicyView
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute(): Promise<ApprovalPolicyView> {
    const state = await this.writer.state(approvalPolicyDecider, streams.approvalPolicy());
    return { id: APPROVAL_POLICY_ID, ...state };
  }
}
