import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
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
import { IsCountRecord } from '../../../training-runs/number-record.validator';

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

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
