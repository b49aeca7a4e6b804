import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { streams } from '../../../ledger/stream-names';
import type { EvaluationPolicy } from '../../evaluation-policy';
import { EVALUATION_POLICY_ID, evaluationPolicyDecider } from '../../evaluation-policy.decider';

export class RuleOverridesView {
  @ApiPropertyOptional() minAuc?: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) maxAucDrop?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) maxCalibrationError?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) minDemographicParityRatio?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true })
  maxDemographicParityDifference?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) minEqualizedOddsRatio?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true })
  maxEqualizedOddsDifference?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true })
  maxEqualOpportunityDifference?: number | null;
  @ApiPropertyOptional() minGroupSize?: number;
}

@ApiExtraModels(RuleOverridesView)
export class TierEvaluationPolicyView {
  @ApiProperty() minAuc!: number;
  @ApiPropertyOptional() maxAucDrop?: number;
  @ApiPropertyOptional() maxCalibrationError?: number;
  @ApiPropertyOptional() minDemographicParityRatio?: number;
  @ApiPropertyOptional() maxDemographicParityDifference?: number;
  @ApiPropertyOptional() minEqualizedOddsRatio?: number;
  @ApiPropertyOptional() maxEqualizedOddsDifference?: number;
  @ApiPropertyOptional() maxEqualOpportunityDifference?: number;
  @ApiProperty() minGroupSize!: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(RuleOverridesView) },
    description: 'Per environment, the rules that replace the tier’s (null: bound dropped)',
  })
  environments?: Record<string, RuleOverridesView>;
}

export class EvaluationTiersView {
  @ApiProperty({ type: TierEvaluationPolicyView }) low!: TierEvaluationPolicyView;
  @ApiProperty({ type: TierEvaluationPolicyView }) medium!: TierEvaluationPolicyView;
  @ApiProperty({ type: TierEvaluationPolicyView }) high!: TierEvaluationPolicyView;
}

export class EvaluationPolicyView {
  @ApiProperty({ example: EVALUATION_POLICY_ID }) id!: string;
  @ApiProperty({ type: EvaluationTiersView }) tiers!: EvaluationTiersView;
  @ApiProperty({ description: 'The version in force: 0 for the built-in default, then 1, 2, …' })
  version!: number;
  @ApiProperty({ description: 'True while no policy has been set: the built-in default applies' })
  isDefault!: boolean;
  @ApiProperty({ type: String, nullable: true }) setBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) setAt!: string | null;
}

export class GetEvaluationPolicyQuery extends Query<EvaluationPolicyView> {}

/** Read from the policy stream itself: a handful of events, and the same fold the write side uses. */
@QueryHandler(GetEvaluationPolicyQuery)
export class GetEvaluationPolicyQueryHandler implements IQueryHandler<
  GetEvaluationPolicyQuery,
  EvaluationPolicyView
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute(): Promise<EvaluationPolicyView> {
    const state = await this.writer.state(evaluationPolicyDecider, streams.evaluationPolicy());
    const tiers: EvaluationPolicy = state.tiers;
    return { id: EVALUATION_POLICY_ID, ...state, tiers };
  }
}
