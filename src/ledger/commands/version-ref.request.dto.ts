import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT, VERSION, VERSION_HINT } from './identifiers';

/** A dataset or model version named in a body: `name` and `version`. */
export class VersionRefRequest {
  @ApiProperty({ example: 'loan-applications', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;

  @ApiProperty({ example: '2026-02', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}
