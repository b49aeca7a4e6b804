import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, Length, Matches } from 'class-validator';
import { Optional } from '../ledger/http/validation';
import { MAX_ROWS } from './serving-api';

/** A caller's request id: it routes the canary and is kept on every receipt. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HINT = '1 to 128 letters, digits, dots, underscores, colons or hyphens';

export class PredictRequest {
  @ApiProperty({
    example: 'app-2026-000123',
    description: `The caller's id of this request (${REQUEST_ID_HINT}): the same id always lands on the same arm of a canary, and every receipt keeps it`,
  })
  @IsString({ message: 'requestId must be a string' })
  @Matches(REQUEST_ID, { message: `requestId must be ${REQUEST_ID_HINT}` })
  requestId!: string;

  @ApiPropertyOptional({
    example: 'customer-88412',
    description:
      'Who the decision is about, as the caller identifies them: receipts keep only its keyed hash (HMAC with the privacy pepper)',
  })
  @Optional()
  @IsString({ message: 'subjectRef must be a string' })
  @Length(1, 256, { message: 'subjectRef must be 1 to 256 characters' })
  subjectRef?: string;

  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: MAX_ROWS,
    items: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'number' }, { type: 'string' }] },
    },
    example: [{ income: 72, debt_ratio: 0.31, age: 41, credit_history_months: 96 }],
    description: `1 to ${MAX_ROWS} rows, each every feature of the served version by name: numbers for numeric inputs, strings for text inputs; nothing else`,
  })
  // Checked against the served version's features (validateRows), each error naming rows.<i>.<feature>.
  @IsDefined({ message: `rows is required: 1 to ${MAX_ROWS} rows of named features` })
  rows!: unknown;
}

export class PredictionView {
  @ApiProperty({ example: 0.137 }) score!: number;
  @ApiProperty({ enum: ['positive', 'negative'], description: 'positive: score ≥ threshold' })
  decision!: 'positive' | 'negative';
  @ApiProperty({
    example: '0',
    description: "The decision's label: the evaluation's positive label, or its negative",
  })
  label!: string;
  @ApiProperty({ format: 'uuid', description: 'GET /receipts/{id} proves this decision' })
  receiptId!: string;
}

export class PredictResponse {
  @ApiProperty({ example: 'app-2026-000123' }) requestId!: string;
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ enum: ['stable', 'canary'] }) arm!: 'stable' | 'canary';
  @ApiProperty({ example: `sha256:${'ab'.repeat(32)}` }) artifactDigest!: string;
  @ApiProperty({ example: 0.5 }) threshold!: number;
  @ApiProperty({ type: [PredictionView] }) predictions!: PredictionView[];
}
