import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import {
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  UUID,
  VERSION,
  VERSION_HINT,
} from '../../ledger/commands/identifiers';

export class DeletionRequestPath {
  @ApiProperty({
    format: 'uuid',
    description: 'The requestId a POST /privacy/deletion-requests returned',
  })
  @Matches(UUID, { message: 'id must be a lower-case UUID' })
  id!: string;
}

/** A dataset or model version: `name` and `version`. */
export class VersionRefRequest {
  @ApiProperty({ example: 'loan-applications', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;

  @ApiProperty({ example: '2026-02', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}
