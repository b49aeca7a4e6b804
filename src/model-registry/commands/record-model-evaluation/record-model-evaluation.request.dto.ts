import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { VERSION, VERSION_HINT } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { IsNumberRecord } from '../../../training-runs/number-record.validator';
import { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';

export const VERDICTS = ['pass', 'fail'] as const;

export class EvaluationBaselineRequest {
  @ApiPropertyOptional({
    example: '1.3.0',
    description:
      'A registered version of this model compared against; omit for an external baseline',
  })
  @IsOptional()
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
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiProperty({ example: 0.8 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The metric per group of the attribute',
    example: { '18-25': 0.31, '26-64': 0.34, '65+': 0.3 },
  })
  @IsNumberRecord()
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
  @ValidateNested()
  @Type(() => VersionRefRequest)
  datasetVersion!: VersionRefRequest;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.81, ks: 0.42, brier: 0.11 },
  })
  @IsNumberRecord()
  metrics!: Record<string, number>;

  @ApiPropertyOptional({ type: EvaluationBaselineRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => EvaluationBaselineRequest)
  baseline?: EvaluationBaselineRequest;

  @ApiProperty({
    type: [FairnessResultRequest],
    description: 'Fairness by protected attribute (may be empty)',
  })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FairnessResultRequest)
  fairness!: FairnessResultRequest[];

  @ApiProperty({ enum: VERDICTS })
  @IsIn(VERDICTS, { message: `verdict must be one of ${VERDICTS.join(', ')}` })
  verdict!: (typeof VERDICTS)[number];

  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}
