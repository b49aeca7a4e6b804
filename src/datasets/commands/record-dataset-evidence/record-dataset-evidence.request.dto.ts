import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ReasonRequest } from '../../../ledger/commands/reason.request.dto';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';

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
  @IsOptional()
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
  @ValidateNested({ each: true })
  @Type(() => ValidationCheckRequest)
  @ArrayMaxSize(1000)
  checks!: ValidationCheckRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}

export class HistogramRequest {
  @ApiProperty({ type: [Number], example: [0, 50000, 100000, 200000] })
  @IsArray()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  @ArrayMaxSize(201)
  edges!: number[];

  @ApiProperty({ type: [Number], example: [4000, 7000, 1000] })
  @IsArray()
  @IsInt({ each: true })
  @Min(0, { each: true })
  @ArrayMaxSize(200)
  counts!: number[];
}

export class FeatureProfileRequest {
  @ApiProperty({ example: 'annual_income' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name!: string;

  @ApiProperty({ example: 120000 })
  @IsInt()
  @Min(0)
  count!: number;

  @ApiProperty({ example: 12 })
  @IsInt()
  @Min(0)
  missing!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  mean?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  stddev?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;

  @ApiPropertyOptional({ type: HistogramRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => HistogramRequest)
  histogram?: HistogramRequest;

  @ApiPropertyOptional({
    example: { fixed: 700, variable: 300 },
    description: 'Count per category',
  })
  @IsOptional()
  @IsObject()
  categories?: Record<string, number>;
}

export class RecordDatasetProfileRequest {
  @ApiProperty({ type: [FeatureProfileRequest] })
  @ValidateNested({ each: true })
  @Type(() => FeatureProfileRequest)
  @ArrayMaxSize(2000)
  features!: FeatureProfileRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}

export class RetireDatasetVersionRequest extends ReasonRequest {}
