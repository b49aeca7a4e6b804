import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import {
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  VERSION,
  VERSION_HINT,
} from '../ledger/commands/identifiers';

export class ModelPath {
  @ApiProperty({ example: 'credit-risk', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;
}

export class ModelVersionPath extends ModelPath {
  @ApiProperty({ example: '1.4.0', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}
