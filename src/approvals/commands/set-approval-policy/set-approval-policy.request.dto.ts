import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { MAX_STAGES } from '../../approval-policy.decider';
import { STAGE_ROLES, type StageRole } from '../../approval.events';
import { NestedObject, Optional } from '../../../ledger/http/validation';

/** An environment's overrides (OpenAPI only: the decider checks them). */
export class TierOverridesRequest {
  @ApiPropertyOptional({
    enum: STAGE_ROLES,
    isArray: true,
    minItems: 0,
    maxItems: MAX_STAGES,
    description: 'None only in the low tier, with requirePassingEvaluation: approved automatically',
  })
  stages?: StageRole[];
  @ApiPropertyOptional() requirePassingEvaluation?: boolean;
  @ApiPropertyOptional() requireGrantComment?: boolean;
}

@ApiExtraModels(TierOverridesRequest)
export class TierPolicyRequest {
  @ApiProperty({
    enum: STAGE_ROLES,
    isArray: true,
    minItems: 0,
    maxItems: MAX_STAGES,
    example: ['risk-manager', 'compliance-officer'],
    description:
      'The roles that must grant, in order; each role at most once. None (`[]`) only for the low tier and with requirePassingEvaluation: a passing service-run evaluation then approves the version by itself (400 naming `tiers.<tier>.stages` otherwise)',
  })
  @IsArray()
  @ArrayMaxSize(MAX_STAGES)
  @ArrayUnique({ message: 'stages must not repeat a role' })
  @IsIn(STAGE_ROLES, { each: true, message: `each stage must be one of ${STAGE_ROLES.join(', ')}` })
  stages!: StageRole[];

  @ApiProperty({
    description:
      'Refuse a request unless a service-run evaluation of the version passed for the environment under the evaluation policy in force',
  })
  @IsBoolean()
  requirePassingEvaluation!: boolean;

  @ApiPropertyOptional({
    description:
      'Refuse a grant without a (non-blank) comment: 422 grant-comment-required naming `comment`. Omitted: required for the high tier, not for low and medium',
    example: true,
  })
  @Optional()
  @IsBoolean()
  requireGrantComment?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(TierOverridesRequest) },
    example: { staging: { stages: ['risk-manager'], requirePassingEvaluation: false } },
    description:
      'Per environment (lower-case name), settings that replace the tier’s there (e.g. one stage and no passing evaluation for staging); checked like the tier’s, 400 naming `tiers.<tier>.environments.<environment>.<setting>`',
  })
  @Optional()
  @IsObject({ message: 'environments must be an object' })
  environments?: Record<string, TierOverridesRequest>;
}

export class ApprovalTiersRequest {
  @ApiProperty({ type: TierPolicyRequest })
  @NestedObject(() => TierPolicyRequest)
  low!: TierPolicyRequest;

  @ApiProperty({ type: TierPolicyRequest })
  @NestedObject(() => TierPolicyRequest)
  medium!: TierPolicyRequest;

  @ApiProperty({ type: TierPolicyRequest })
  @NestedObject(() => TierPolicyRequest)
  high!: TierPolicyRequest;
}

export class SetApprovalPolicyRequest {
  @ApiProperty({ type: ApprovalTiersRequest, description: 'All three risk tiers' })
  @NestedObject(() => ApprovalTiersRequest)
  tiers!: ApprovalTiersRequest;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
