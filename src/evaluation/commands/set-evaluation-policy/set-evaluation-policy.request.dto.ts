import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsInt, IsNumber, IsObject, Max, Min } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';
import { MAX_GROUP_SIZE } from '../../evaluation-policy';

const finite = { allowNaN: false, allowInfinity: false };

/** A number from `min` to `max`, named in the refusal. */
function Between(min: number, max: number, what: string) {
  const message = ({ property }: { property: string }) =>
    `${property} must be ${what} from ${min} to ${max}`;
  return applyDecorators(
    IsNumber(finite, { message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/** The rules of one tier (README, "The evaluation policy"). */
export class EvaluationRulesRequest {
  @ApiProperty({ minimum: 0.5, maximum: 1, example: 0.7, description: 'Lowest AUC that passes' })
  @Between(0.5, 1, 'an AUC')
  minAuc!: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.01,
    description:
      'Non-inferiority margin against the champion: fails when the lower bound of the DeLong 95% interval of (candidate − champion) AUC is below −maxAucDrop; skipped when there is no champion',
  })
  @Optional()
  @Between(0, 1, 'a difference')
  maxAucDrop?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.05, description: 'Highest ECE' })
  @Optional()
  @Between(0, 1, 'a difference')
  maxCalibrationError?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.8 })
  @Optional()
  @Between(0, 1, 'a ratio')
  minDemographicParityRatio?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.1 })
  @Optional()
  @Between(0, 1, 'a difference')
  maxDemographicParityDifference?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.8 })
  @Optional()
  @Between(0, 1, 'a ratio')
  minEqualizedOddsRatio?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.1 })
  @Optional()
  @Between(0, 1, 'a difference')
  maxEqualizedOddsDifference?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.1 })
  @Optional()
  @Between(0, 1, 'a difference')
  maxEqualOpportunityDifference?: number;

  @ApiProperty({
    minimum: 1,
    maximum: MAX_GROUP_SIZE,
    example: 100,
    description: "Rows a group needs for its attribute's fairness to be assessed",
  })
  @IsInt({ message: 'minGroupSize must be a whole count from 1' })
  @Min(1, { message: 'minGroupSize must be a whole count from 1' })
  @Max(MAX_GROUP_SIZE)
  minGroupSize!: number;
}

/**
 * An environment's overrides (OpenAPI only: the decider checks them, naming
 * `tiers.<tier>.environments.<environment>.<rule>`). Any rule; `null` drops an optional bound.
 */
export class RuleOverridesRequest {
  @ApiPropertyOptional({ minimum: 0.5, maximum: 1 }) minAuc?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true }) maxAucDrop?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  maxCalibrationError?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  minDemographicParityRatio?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  maxDemographicParityDifference?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  minEqualizedOddsRatio?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  maxEqualizedOddsDifference?: number | null;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  maxEqualOpportunityDifference?: number | null;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_GROUP_SIZE }) minGroupSize?: number;
}

@ApiExtraModels(RuleOverridesRequest)
export class TierEvaluationPolicyRequest extends EvaluationRulesRequest {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(RuleOverridesRequest) },
    example: { staging: { minAuc: 0.6, maxEqualizedOddsDifference: null } },
    description:
      'Per environment (lower-case name), rules that replace the tier’s there; null drops an optional bound',
  })
  @Optional()
  @IsObject({ message: 'environments must be an object' })
  environments?: Record<string, RuleOverridesRequest>;
}

export class EvaluationTiersRequest {
  @ApiProperty({ type: TierEvaluationPolicyRequest })
  @NestedObject(() => TierEvaluationPolicyRequest)
  low!: TierEvaluationPolicyRequest;

  @ApiProperty({ type: TierEvaluationPolicyRequest })
  @NestedObject(() => TierEvaluationPolicyRequest)
  medium!: TierEvaluationPolicyRequest;

  @ApiProperty({ type: TierEvaluationPolicyRequest })
  @NestedObject(() => TierEvaluationPolicyRequest)
  high!: TierEvaluationPolicyRequest;
}

export class SetEvaluationPolicyRequest {
  @ApiProperty({ type: EvaluationTiersRequest, description: 'All three risk tiers' })
  @NestedObject(() => EvaluationTiersRequest)
  tiers!: EvaluationTiersRequest;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
