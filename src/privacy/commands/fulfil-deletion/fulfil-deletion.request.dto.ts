import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  ModelVersionRefRequest,
  VersionRefRequest,
} from '../../../ledger/commands/version-ref.request.dto';
import { NestedArray, NestedObject, Optional } from '../../../ledger/http/validation';
import { AFFECTED_KINDS, type AffectedKind } from '../../deletion-accounting';

/** A dataset version registered without the subject, and the affected versions it replaces. */
export class ReplacementRequest extends VersionRefRequest {
  @ApiPropertyOptional({
    type: [VersionRefRequest],
    description:
      'The affected dataset versions this one replaces; left out, those of the same dataset',
  })
  @NestedArray(() => VersionRefRequest, { min: 1, max: 1000, optional: true })
  replaces?: VersionRefRequest[];
}

/** A model version retrained on a replacement, and the affected model versions it replaces. */
export class RetrainedModelRequest extends ModelVersionRefRequest {
  @ApiPropertyOptional({
    type: [ModelVersionRefRequest],
    description:
      'The affected model versions this one replaces; left out, those of the same model. It also accounts for the affected deployments of those models and of its own',
  })
  @NestedArray(() => ModelVersionRefRequest, { min: 1, max: 1000, optional: true })
  replaces?: ModelVersionRefRequest[];
}

/** The affected item an exception covers, as the assessment names it. */
export class AffectedItemRequest {
  @ApiProperty({ enum: AFFECTED_KINDS, example: 'dataset-version' })
  @IsIn(AFFECTED_KINDS, { message: `kind must be one of ${AFFECTED_KINDS.join(', ')}` })
  kind!: AffectedKind;

  @ApiProperty({
    example: 'loan-applications@2026-02',
    description:
      'A dataset or model version as <name>@<version>, a deployment as <model>.<environment>, exactly as assessed',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  id!: string;
}

export class DeletionExceptionRequest {
  @ApiProperty({
    type: AffectedItemRequest,
    description: 'The affected item of the assessment this exception keeps',
  })
  @NestedObject(() => AffectedItemRequest)
  covers!: AffectedItemRequest;

  @ApiPropertyOptional({
    example: 'loan ledger 2019–2026',
    description:
      'What was kept, if more than the item covered; name the record, never the subject’s personal information. Left out: the covered item’s id',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  item?: string;

  @ApiProperty({ example: 'retention obligation (AML/CTF Act s 107)', description: 'Why' })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(1000)
  reason!: string;
}

export class FulfilDeletionRequest {
  @ApiProperty({
    type: [ReplacementRequest],
    description: 'Registered dataset versions made without the subject’s data',
  })
  @NestedArray(() => ReplacementRequest, { max: 1000 })
  replacementDatasetVersions!: ReplacementRequest[];

  @ApiProperty({
    type: [RetrainedModelRequest],
    description: 'Registered model versions retrained on those replacements',
  })
  @NestedArray(() => RetrainedModelRequest, { max: 1000 })
  retrainedModels!: RetrainedModelRequest[];

  @ApiProperty({
    type: [DeletionExceptionRequest],
    description:
      'Affected items kept, each naming the item it covers and its reason (legal hold, retention obligation, …)',
  })
  @NestedArray(() => DeletionExceptionRequest, { max: 1000 })
  exceptions!: DeletionExceptionRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
