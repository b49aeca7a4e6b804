import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { DEPLOYMENT_ID } from '../deployments/deployment-path.request.dto';
import { RESOURCE_NAME } from '../ledger/commands/identifiers';
import { Optional } from '../ledger/http/validation';
import { REQUEST_ID, REQUEST_ID_HINT } from './predict.request.dto';

/**
 * The Open Inference Protocol's REST shapes (the v2 protocol KServe and Seldon speak), as far as
 * a tabular model needs them (README, "Serving").
 */

export const OIP_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type OipDatatype = (typeof OIP_DATATYPES)[number];

const OIP_MODEL = new RegExp(`${DEPLOYMENT_ID.source}|${RESOURCE_NAME.source}`);
const OIP_MODEL_HINT =
  'a deployment id <model>.<environment>, or a model name (its production deployment)';

/** `{model}` of the /v2/models routes. */
export class OipModelPath {
  @ApiProperty({ example: 'credit-risk.production', description: OIP_MODEL_HINT })
  @Length(1, 100, { message: 'model must be at most 100 characters' })
  @Matches(OIP_MODEL, { message: `model must be ${OIP_MODEL_HINT}` })
  model!: string;
}

export class InferInput {
  @ApiProperty({
    example: 'income',
    description:
      "A feature of the served version (shape [N] or [N, 1]), or one of the model's ONNX inputs with all its columns (shape [N, k], columns in the order the evaluation named them)",
  })
  @IsString({ message: 'name must be a string' })
  @Length(1, 128, { message: 'name must be 1 to 128 characters' })
  name!: string;

  @ApiProperty({ example: [1], type: [Number] })
  @IsArray({ message: 'shape must be an array of whole numbers' })
  @ArrayMinSize(1, { message: 'shape must have 1 or 2 dimensions' })
  @ArrayMaxSize(2, { message: 'shape must have 1 or 2 dimensions' })
  @IsInt({ each: true, message: 'shape must hold whole numbers' })
  @Min(0, { each: true, message: 'shape must hold whole numbers ≥ 0' })
  shape!: number[];

  @ApiProperty({ enum: OIP_DATATYPES, example: 'FP64' })
  @IsIn(OIP_DATATYPES, { message: `datatype must be one of ${OIP_DATATYPES.join(', ')}` })
  datatype!: OipDatatype;

  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'array', items: {} }] },
    example: [72],
    description: 'Row-major values (nested arrays are flattened): numbers, or strings for BYTES',
  })
  @IsArray({ message: 'data must be an array' })
  data!: unknown[];
}

export class InferRequest {
  @ApiPropertyOptional({
    example: 'app-2026-000123',
    description: `The request id (${REQUEST_ID_HINT}): routes the canary and is kept on every receipt; generated when absent`,
  })
  @Optional()
  @IsString({ message: 'id must be a string' })
  @Matches(REQUEST_ID, { message: `id must be ${REQUEST_ID_HINT}` })
  id?: string;

  @ApiProperty({ type: [InferInput] })
  @IsArray({ message: 'inputs must be an array' })
  @ArrayMinSize(1, { message: 'inputs must name at least one input' })
  @ArrayMaxSize(1000, { message: 'inputs must name at most 1000 inputs' })
  @ValidateNested({ each: true })
  @Type(() => InferInput)
  inputs!: InferInput[];

  @ApiPropertyOptional({
    description: 'Ignored: every answer carries score, decision, label and receipt_id',
  })
  @Optional()
  @IsArray({ message: 'outputs must be an array' })
  outputs?: unknown[];

  @ApiPropertyOptional({
    example: { subject_ref: 'customer-88412' },
    description:
      'subject_ref: who the decision is about (receipts keep only its keyed hash); anything else is ignored',
  })
  @Optional()
  @IsObject({ message: 'parameters must be an object' })
  parameters?: Record<string, unknown>;
}

export class InferOutput {
  @ApiProperty({ example: 'score' }) name!: string;
  @ApiProperty({ example: 'FP64' }) datatype!: string;
  @ApiProperty({ type: [Number], example: [1] }) shape!: number[];
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'number' }, { type: 'string' }] },
    example: [0.137],
  })
  data!: unknown[];
}

export class InferResponse {
  @ApiProperty({ example: 'credit-risk.production' }) model_name!: string;
  @ApiProperty({ example: '1.4.0' }) model_version!: string;
  @ApiProperty({ example: 'app-2026-000123' }) id!: string;
  @ApiProperty({
    example: {
      deployment_id: 'credit-risk.production',
      arm: 'stable',
      artifact_digest: `sha256:${'ab'.repeat(32)}`,
      threshold: 0.5,
    },
  })
  parameters!: Record<string, unknown>;
  @ApiProperty({ type: [InferOutput] }) outputs!: InferOutput[];
}

export class TensorMetadata {
  @ApiProperty({ example: 'income' }) name!: string;
  @ApiProperty({ example: 'FP64' }) datatype!: string;
  @ApiProperty({ type: [Number], example: [-1] }) shape!: number[];
}

export class ModelMetadataResponse {
  @ApiProperty({ example: 'credit-risk.production' }) name!: string;
  @ApiProperty({ type: [String], example: ['1.4.0'] }) versions!: string[];
  @ApiProperty({ example: 'onnxruntime_onnx' }) platform!: string;
  @ApiProperty({ type: [TensorMetadata] }) inputs!: TensorMetadata[];
  @ApiProperty({ type: [TensorMetadata] }) outputs!: TensorMetadata[];
  @ApiProperty({ example: { deployment_id: 'credit-risk.production', threshold: 0.5 } })
  parameters!: Record<string, unknown>;
}

export class ModelReadyResponse {
  @ApiProperty({ example: 'credit-risk.production' }) name!: string;
  @ApiProperty({ example: true }) ready!: boolean;
}
