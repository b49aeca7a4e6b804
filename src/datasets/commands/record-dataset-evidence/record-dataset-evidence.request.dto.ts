import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsString, MaxLength, MinLength } from 'class-validator';
import { ReasonRequest } from '../../../ledger/commands/reason.request.dto';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  IsCount,
  IsMeasure,
  MAX_COUNT,
  MAX_MEASURE,
  NestedArray,
  NestedObject,
  Optional,
} from '../../../ledger/http/validation';
import { IsCountRecord } from '../../../ledger/http/number-record.validator';

export class ValidationCheckRequest {
  @ApiProperty({ example: 'no-null-income' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty()
  @IsBoolean()
  passed!: boolean;

  @ApiPropertyOptional({ example: '0 of 120000 rows null' })
  @Optional()
  @IsString()
  @MaxLength(1000)
  detail?: string;
}

export class RecordDatasetValidationRequest {
  @ApiProperty({ example: 'great-expectations loans-suite v4' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  suite!: string;

  @ApiProperty({ description: 'Whether the dataset version passed the suite as a whole' })
  @IsBoolean()
  passed!: boolean;

  @ApiProperty({ type: [ValidationCheckRequest] })
  @NestedArray(() => ValidationCheckRequest, { max: 1000 })
  checks!: ValidationCheckRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}

export class HistogramRequest {
  @ApiProperty({ type: [Number], example: [0, 50000, 100000, 200000] })
  @IsArray()
  @IsMeasure({ each: true })
  @ArrayMaxSize(201)
  edges!: number[];

  @ApiProperty({ type: [Number], example: [4000, 7000, 1000] })
  @IsArray()
  @IsCount({ each: true })
  @ArrayMaxSize(200)
  counts!: number[];
}

export class FeatureProfileRequest {
  @ApiProperty({ example: 'annual_income' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name!: string;

  @ApiProperty({ example: 120000, minimum: 0, maximum: MAX_COUNT })
  @IsCount()
  count!: number;

  @ApiProperty({ example: 12, minimum: 0, maximum: MAX_COUNT })
  @IsCount()
  missing!: number;

  @ApiPropertyOptional({ minimum: -MAX_MEASURE, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure()
  mean?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure({ min: 0 })
  stddev?: number;
  @ApiPropertyOptional({ minimum: -MAX_MEASURE, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure()
  min?: number;
  @ApiPropertyOptional({ minimum: -MAX_MEASURE, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure()
  max?: number;

  @ApiPropertyOptional({ type: HistogramRequest })
  @NestedObject(() => HistogramRequest, { optional: true })
  histogram?: HistogramRequest;

  @ApiPropertyOptional({
    example: { fixed: 700, variable: 300 },
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
    maxProperties: 1000,
    description: 'Count per category (at most 1000 categories, labels of 1 to 200 characters)',
  })
  @Optional()
  @IsCountRecord({ maxEntries: 1000, maxKeyLength: 200 })
  categories?: Record<string, number>;
}

export class RecordDatasetProfileRequest {
  @ApiProperty({ type: [FeatureProfileRequest] })
  @NestedArray(() => FeatureProfileRequest, { max: 2000 })
  features!: FeatureProfileRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}

export class RetireDatasetVersionRequest extends ReasonRequest {}
