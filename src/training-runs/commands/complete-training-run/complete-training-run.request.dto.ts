import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SHA256_DIGEST, SHA256_DIGEST_HINT } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { IsNumberRecord } from '../../../ledger/http/number-record.validator';
import { NestedObject } from '../../../ledger/http/validation';

export class TrainingArtifactRequest {
  @ApiProperty({ example: 's3://models/credit-risk/01936f0e/model.onnx' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  uri!: string;

  @ApiProperty({ example: `sha256:${'5e'.repeat(32)}`, description: SHA256_DIGEST_HINT })
  @Matches(SHA256_DIGEST, { message: `digest must be ${SHA256_DIGEST_HINT}` })
  digest!: string;

  @ApiProperty({ example: 'onnx' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  format!: string;
}

export class CompleteTrainingRunRequest {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.81, ks: 0.42 },
  })
  @IsNumberRecord()
  metrics!: Record<string, number>;

  @ApiProperty({ example: 'out-of-time holdout 2025-Q4' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  validationApproach!: string;

  @ApiProperty({ type: TrainingArtifactRequest })
  @NestedObject(() => TrainingArtifactRequest)
  artifact!: TrainingArtifactRequest;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
