import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsString, Matches, MaxLength } from 'class-validator';
import { ENVIRONMENT, RESOURCE_NAME } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  ModelVersionRefRequest,
  VersionRefRequest,
} from '../../../ledger/commands/version-ref.request.dto';
import { NestedArray, NestedObject, Optional } from '../../../ledger/http/validation';

/** `<model>.<environment>`, as deployments are identified. */
const DEPLOYMENT_ID = new RegExp(
  `^${RESOURCE_NAME.source.slice(1, -1)}\\.${ENVIRONMENT.source.slice(1, -1)}$`,
);

export class AffectedRequest {
  @ApiProperty({
    type: [VersionRefRequest],
    description: 'Registered dataset versions holding the subject’s data',
  })
  @NestedArray(() => VersionRefRequest, { max: 1000 })
  datasetVersions!: VersionRefRequest[];

  @ApiProperty({ type: [ModelVersionRefRequest], description: 'Model versions trained on them' })
  @NestedArray(() => ModelVersionRefRequest, { max: 1000 })
  models!: ModelVersionRefRequest[];

  @ApiProperty({
    type: [String],
    example: ['credit-risk.production'],
    description: 'Deployments serving those models, as <model>.<environment>',
  })
  @Matches(DEPLOYMENT_ID, {
    each: true,
    message: 'each deployment must be <model>.<environment>, e.g. credit-risk.production',
  })
  @ArrayMaxSize(1000)
  deployments!: string[];
}

export class AssessDeletionRequest {
  @ApiProperty({ type: AffectedRequest })
  @NestedObject(() => AffectedRequest)
  affected!: AffectedRequest;

  @ApiPropertyOptional({
    example: 'found in the February application extract',
    maxLength: 2000,
    description: 'Must not contain the subject’s personal information',
  })
  @Optional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
