import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RETRAINING_REASONS, type RetrainingReason } from '../retraining.events';

export class RetrainingSignalView {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'DriftDetected' })
  type!: string;

  @ApiPropertyOptional({ example: 'psi' })
  metric?: string;

  @ApiPropertyOptional({ example: 0.31 })
  value?: number;

  @ApiPropertyOptional({ example: 0.25 })
  threshold?: number;
}

export class RetrainingTriggerView {
  @ApiProperty({ format: 'uuid' })
  triggerId!: string;

  @ApiProperty({ example: 'credit-risk' })
  model!: string;

  @ApiProperty({ enum: RETRAINING_REASONS })
  reason!: RetrainingReason;

  @ApiProperty({ type: [RetrainingSignalView] })
  signals!: RetrainingSignalView[];

  @ApiPropertyOptional({ description: 'Why, for a manual trigger' })
  note?: string;

  @ApiProperty({ example: 'attest:retraining' })
  triggeredBy!: string;

  @ApiProperty({ format: 'date-time' })
  triggeredAt!: string;

  @ApiProperty({ format: 'uuid', description: 'The RetrainingTriggered event' })
  eventId!: string;

  @ApiProperty()
  ledgerPosition!: string;
}

/** The whole of one model's retraining stream (a handful of events): not a paged list. */
export class RetrainingTriggerList {
  @ApiProperty({ type: [RetrainingTriggerView], description: 'Newest first' })
  triggers!: RetrainingTriggerView[];
}
