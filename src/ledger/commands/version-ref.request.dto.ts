import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT, VERSION, VERSION_HINT } from './identifiers';

/** A dataset version named in a body: `name` and `version` (ModelVersionRefRequest for a model). */
export class VersionRefRequest {
  @ApiProperty({ example: 'loan-applications', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;

  @ApiProperty({ example: '2026-02', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}

/** A model version named in a body: the same rules as VersionRefRequest, a model's example. */
export class ModelVersionRefRequest extends VersionRefRequest {
  @ApiProperty({ example: 'credit-risk', description: RESOURCE_NAME_HINT })
  override name!: string;

  @ApiProperty({ example: '1.4.0', description: VERSION_HINT })
  override version!: string;
}
