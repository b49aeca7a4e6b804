import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { VERSION, VERSION_HINT } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { IsNumberRecord, MAX_GROUP_LABEL } from '../../../ledger/http/number-record.validator';
import { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';
import { IsMeasure, NestedArray, NestedObject, Optional } from '../../../ledger/http/validation';

export const VERDICTS = ['pass', 'fail'] as const;

export class EvaluationBaselineRequest {
  @ApiPropertyOptional({
    example: '1.3.0',
    description:
      'A registered version of this model compared against; omit for an external baseline',
  })
  @Optional()
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.79 },
  })
  @IsNumberRecord()
  metrics!: Record<string, number>;
}

export class FairnessResultRequest {
  @ApiProperty({ example: 'age-band', description: 'The protected attribute' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  attribute!: string;

  @ApiProperty({ example: 'demographic-parity-ratio' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  metric!: string;

  @ApiProperty({ example: 0.91 })
  @IsMeasure()
  value!: number;

  @ApiProperty({ example: 0.8 })
  @IsMeasure()
  threshold!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: `The metric per group of the attribute, keyed by the group's label as people write it ("<25", "25-34", "18–24", ">=65", "65+", "under 25"): 1 to ${MAX_GROUP_LABEL} letters, digits, punctuation or symbols with single spaces inside; no control characters`,
    example: { '<25': 0.31, '25-64': 0.34, '65+': 0.3 },
  })
  @IsNumberRecord({ keys: 'group-labels' })
  groups!: Record<string, number>;

  @ApiProperty()
  @IsBoolean()
  passed!: boolean;
}

export class RecordModelEvaluationRequest {
  @ApiProperty({
    type: VersionRefRequest,
    description: 'A registered dataset version',
  })
  @NestedObject(() => VersionRefRequest)
  datasetVersion!: VersionRefRequest;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.81, ks: 0.42, brier: 0.11 },
  })
  @IsNumberRecord()
  metrics!: Record<string, number>;

  @ApiPropertyOptional({ type: EvaluationBaselineRequest })
  @NestedObject(() => EvaluationBaselineRequest, { optional: true })
  baseline?: EvaluationBaselineRequest;

  @ApiProperty({
    type: [FairnessResultRequest],
    description: 'Fairness by protected attribute (may be empty)',
  })
  @NestedArray(() => FairnessResultRequest, { max: 200 })
  fairness!: FairnessResultRequest[];

  @ApiProperty({ enum: VERDICTS })
  @IsIn(VERDICTS, { message: `verdict must be one of ${VERDICTS.join(', ')}` })
  verdict!: (typeof VERDICTS)[number];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
