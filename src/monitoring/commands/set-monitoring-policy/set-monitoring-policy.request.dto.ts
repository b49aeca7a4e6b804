import { ApiExtraModels, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

/**
 * One level's overrides (OpenAPI only: the decider checks every value, naming
 * `tiers.<tier>.psi.alert` or `models.<model>.window.batches`). Each field replaces the level below.
 */
export class MonitoringOverridesRequest {
  @ApiPropertyOptional({
    example: { warn: 0.1, alert: 0.25, minCount: 200 },
    description:
      'Population stability index levels: above warn a DriftDetected is recorded, above alert it is a breach (alert raised); warn < alert. minCount: observed values (pooled over the window) a figure needs',
  })
  psi?: { warn?: number; alert?: number; minCount?: number };

  @ApiPropertyOptional({
    nullable: true,
    example: { batches: 3 },
    description:
      'Batches pooled into one PSI figure: {"batches": n} (the batch and the n−1 before it) or {"hours": h} (batches ending within h hours of it); null: each batch alone',
  })
  window?: { batches: number } | { hours: number } | null;

  @ApiPropertyOptional({
    example: { maxAucDrop: 0.05, maxAccuracyDrop: 0.05, minOutcomes: 200 },
    description:
      'Realised performance: AUC or accuracy more than this below the passing evaluation’s is a breach; judged once a window holds minOutcomes outcomes',
  })
  performance?: { maxAucDrop?: number; maxAccuracyDrop?: number; minOutcomes?: number };

  @ApiPropertyOptional({
    example: { rollback: true, retrain: false },
    description:
      'A breach rolls the deployment back (a canary, or production to its previous version) and/or triggers retraining',
  })
  onBreach?: { rollback?: boolean; retrain?: boolean };

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 30,
    description: 'Days after the last completed training run that retraining is due; null: none',
  })
  retrainEveryDays?: number | null;
}

@ApiExtraModels(MonitoringOverridesRequest)
export class SetMonitoringPolicyRequest {
  @ApiPropertyOptional({
    type: MonitoringOverridesRequest,
    description: 'Overrides of the built-in rules for every model',
  })
  @Optional()
  @IsObject({ message: 'default must be an object' })
  default?: MonitoringOverridesRequest;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(MonitoringOverridesRequest) },
    example: { high: { onBreach: { rollback: true } } },
    description: 'Per risk tier (low, medium, high): overrides of the default',
  })
  @Optional()
  @IsObject({ message: 'tiers must be an object' })
  tiers?: Record<string, MonitoringOverridesRequest>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(MonitoringOverridesRequest) },
    example: { 'credit-risk': { window: { batches: 3 } } },
    description: 'Per model name: overrides of its tier',
  })
  @Optional()
  @IsObject({ message: 'models must be an object' })
  models?: Record<string, MonitoringOverridesRequest>;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
