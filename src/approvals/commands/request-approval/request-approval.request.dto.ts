import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  PRODUCTION,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export class ModelVersionPath {
  @ApiProperty({ example: 'credit-risk', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;

  @ApiProperty({ example: '1.4.0', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}

export class RequestApprovalRequest {
  @ApiPropertyOptional({
    example: PRODUCTION,
    default: PRODUCTION,
    description: `The environment the version is to be approved for: ${ENVIRONMENT_HINT}`,
  })
  @Optional()
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment?: string;

  @ApiPropertyOptional({ example: 'Validation report VR-2026-031 attached to the model card' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
