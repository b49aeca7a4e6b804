import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';
import { NestedArray, NestedObject, Optional } from '../../../ledger/http/validation';

export class TrainingCodeRequest {
  @ApiProperty({ example: 'https://git.bank.example/ml/credit-risk' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  repository!: string;

  @ApiProperty({ example: '3f9c2e1', description: '7 to 64 lower-case hex digits' })
  @Matches(/^[0-9a-f]{7,64}$/, { message: 'commit must be 7 to 64 lower-case hex digits' })
  commit!: string;
}

export class StartTrainingRunRequest {
  @ApiProperty({ example: 'credit-risk', description: `The model trained: ${RESOURCE_NAME_HINT}` })
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model!: string;

  @ApiProperty({
    type: [VersionRefRequest],
    description:
      'Registered, not retired dataset versions it trains on (their content hashes are recorded)',
  })
  @NestedArray(() => VersionRefRequest, { min: 1, max: 100 })
  datasetVersions!: VersionRefRequest[];

  @ApiProperty({ type: TrainingCodeRequest })
  @NestedObject(() => TrainingCodeRequest)
  code!: TrainingCodeRequest;

  @ApiProperty({ example: 'xgboost' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  algorithm!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { maxDepth: 6, eta: 0.1 },
  })
  @IsObject()
  hyperparameters!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Runtime: framework versions, container image, hardware',
    example: { python: '3.12', xgboost: '2.1.3', image: 'trainer:2026.02' },
  })
  @Optional()
  @IsObject()
  environment?: Record<string, unknown>;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
