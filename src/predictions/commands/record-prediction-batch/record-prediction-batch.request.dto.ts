import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  SHA256_DIGEST,
  SHA256_DIGEST_HINT,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { WindowRequest } from '../../window.request.dto';
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

/** Feature names, not values: short identifiers with no spaces, so no free text about people. */
const FEATURE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

export class FeatureSummaryRequest {
  @ApiProperty({ example: 'annual_income' })
  @Matches(FEATURE, { message: 'feature must be a feature name (letters, digits, _ . : / -)' })
  feature!: string;

  @ApiPropertyOptional({ example: 81200.5, minimum: -MAX_MEASURE, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure()
  mean?: number;

  @ApiPropertyOptional({ example: 20400.1, minimum: 0, maximum: MAX_MEASURE })
  @Optional()
  @IsMeasure({ min: 0 })
  stddev?: number;

  @ApiProperty({
    example: 3,
    minimum: 0,
    maximum: MAX_COUNT,
    description: 'Predictions where the feature was missing',
  })
  @IsCount()
  missing!: number;
}

export class LatencyRequest {
  @ApiProperty({ example: 4, minimum: 0, maximum: MAX_MEASURE })
  @IsMeasure({ min: 0 })
  p50!: number;
  @ApiProperty({ example: 11, minimum: 0, maximum: MAX_MEASURE })
  @IsMeasure({ min: 0 })
  p95!: number;
  @ApiProperty({ example: 19, minimum: 0, maximum: MAX_MEASURE })
  @IsMeasure({ min: 0 })
  p99!: number;
}

export class DecisionsRequest {
  @ApiProperty({
    example: 860,
    minimum: 0,
    maximum: MAX_COUNT,
    description: 'Decided by the model alone',
  })
  @IsCount()
  automated!: number;

  @ApiProperty({
    example: 140,
    minimum: 0,
    maximum: MAX_COUNT,
    description: 'Referred to a person',
  })
  @IsCount()
  referred!: number;
}

/** The most bins one distribution may have. */
const MAX_BINS = 1000;

/**
 * One distribution's counts per bin against a baseline (README, "Monitoring by Attest"): numeric
 * with inner `edges` (bin i holds edges[i−1] ≤ v < edges[i]), or categorical with the baseline's
 * `categories` and a last bin for any other value. The decider checks that they add up.
 */
export class BinnedCountsRequest {
  @ApiPropertyOptional({
    type: [Number],
    example: [0.12, 0.2, 0.27, 0.33, 0.4, 0.46, 0.53, 0.61, 0.72],
    description: 'Numeric: the inner edges, strictly ascending (the baseline deciles)',
  })
  @Optional()
  @IsArray({ message: 'edges must be an array' })
  @ArrayMaxSize(MAX_BINS - 1)
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { each: true, message: 'each edge must be a finite number' },
  )
  edges?: number[];

  @ApiPropertyOptional({
    type: [String],
    example: ['owner', 'renter'],
    description: 'Categorical: the baseline categories; one more bin, last, for any other value',
  })
  @Optional()
  @IsArray({ message: 'categories must be an array' })
  @ArrayMaxSize(MAX_BINS - 1)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  categories?: string[];

  @ApiProperty({
    type: [Number],
    example: [100, 98, 103, 101, 97, 99, 102, 100, 100, 100],
    description: 'One count per bin: edges + 1 or categories + 1; with missing they sum to count',
  })
  @IsArray({ message: 'counts must be an array' })
  @ArrayMaxSize(MAX_BINS)
  @IsInt({ each: true, message: 'each count must be a whole number' })
  @Min(0, { each: true, message: 'each count must be at least 0' })
  counts!: number[];

  @ApiProperty({ example: 0, minimum: 0, maximum: MAX_COUNT })
  @IsCount()
  missing!: number;
}

export class FeatureBinsRequest extends BinnedCountsRequest {
  @ApiProperty({ example: 'annual_income' })
  @Matches(FEATURE, { message: 'feature must be a feature name (letters, digits, _ . : / -)' })
  feature!: string;
}

export const BIN_BASELINE_SOURCES = ['evaluation', 'dataset-profile', 'fixed', 'pipeline'] as const;

export class BinsBaselineRequest {
  @ApiProperty({
    enum: BIN_BASELINE_SOURCES,
    description:
      'What the edges come from; drift is measured against the evaluation named by id, or else the version’s latest passing evaluation by Attest',
  })
  @IsIn(BIN_BASELINE_SOURCES, {
    message: `source must be one of ${BIN_BASELINE_SOURCES.join(', ')}`,
  })
  source!: (typeof BIN_BASELINE_SOURCES)[number];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The evaluation id (or profile id)',
  })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(200)
  id?: string | null;
}

export class BatchBinsRequest {
  @ApiProperty({ type: BinsBaselineRequest })
  @NestedObject(() => BinsBaselineRequest)
  baseline!: BinsBaselineRequest;

  @ApiProperty({ type: BinnedCountsRequest, description: 'The scores, binned' })
  @NestedObject(() => BinnedCountsRequest)
  score!: BinnedCountsRequest;

  @ApiProperty({ type: [FeatureBinsRequest] })
  @NestedArray(() => FeatureBinsRequest, { max: 2000 })
  features!: FeatureBinsRequest[];
}

/** A batch summary: counts, digests and distributions only, never inputs or outputs of a person. */
export class RecordPredictionBatchRequest {
  @ApiProperty({ example: '1.4.0', description: `The serving or canary version: ${VERSION_HINT}` })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({ example: 1000, minimum: 1, maximum: MAX_COUNT })
  @IsCount({ min: 1 })
  count!: number;

  @ApiProperty({ type: WindowRequest })
  @NestedObject(() => WindowRequest)
  window!: WindowRequest;

  @ApiProperty({
    example: `sha256:${'3c'.repeat(32)}`,
    description: `SHA-256 over the batch's inputs: ${SHA256_DIGEST_HINT}`,
  })
  @Matches(SHA256_DIGEST, { message: `inputDigest must be ${SHA256_DIGEST_HINT}` })
  inputDigest!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
    maxProperties: 1000,
    example: { approve: 812, refer: 140, decline: 48 },
    description: 'Outputs per class or bucket; the counts sum to count',
  })
  @IsCountRecord({ minEntries: 1, maxEntries: 1000, maxKeyLength: 200 })
  outputDistribution!: Record<string, number>;

  @ApiProperty({ type: [FeatureSummaryRequest] })
  @NestedArray(() => FeatureSummaryRequest, { max: 2000 })
  featureSummaries!: FeatureSummaryRequest[];

  @ApiProperty({ type: LatencyRequest, description: 'p50 ≤ p95 ≤ p99, in milliseconds' })
  @NestedObject(() => LatencyRequest)
  latencyMs!: LatencyRequest;

  @ApiProperty({ type: DecisionsRequest, description: 'automated + referred = count' })
  @NestedObject(() => DecisionsRequest)
  decisions!: DecisionsRequest;

  @ApiPropertyOptional({
    type: BatchBinsRequest,
    description:
      'Counts per bin of the score and of each feature against the baseline deciles: Attest computes drift (PSI) from them (README, "Monitoring by Attest")',
  })
  @NestedObject(() => BatchBinsRequest, { optional: true })
  bins?: BatchBinsRequest;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
