import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  ModelVersionRefRequest,
  VersionRefRequest,
} from '../../../ledger/commands/version-ref.request.dto';
import { NestedArray, NestedObject } from '../../../ledger/http/validation';

export class DeletionExceptionRequest {
  @ApiProperty({
    example: 'loan ledger 2019–2026',
    description: 'What was kept; name the record, never the subject’s personal information',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  item!: string;

  @ApiProperty({ example: 'retention obligation (AML/CTF Act s 107)', description: 'Why' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

export class FulfilDeletionRequest {
  @ApiProperty({
    type: [VersionRefRequest],
    description: 'Registered dataset versions made without the subject’s data',
  })
  @NestedArray(() => VersionRefRequest, { max: 1000 })
  replacementDatasetVersions!: VersionRefRequest[];

  @ApiProperty({ type: [ModelVersionRefRequest], description: 'Model versions retrained on them' })
  @NestedArray(() => ModelVersionRefRequest, { max: 1000 })
  retrainedModels!: ModelVersionRefRequest[];

  @ApiProperty({
    type: [DeletionExceptionRequest],
    description: 'Items kept, each with its reason (legal hold, retention obligation, …)',
  })
  @NestedArray(() => DeletionExceptionRequest, { max: 1000 })
  exceptions!: DeletionExceptionRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
