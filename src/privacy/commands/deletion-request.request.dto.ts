import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { UUID } from '../../ledger/commands/identifiers';

export class DeletionRequestPath {
  @ApiProperty({
    format: 'uuid',
    description: 'The requestId a POST /privacy/deletion-requests returned',
  })
  @Matches(UUID, { message: 'id must be a lower-case UUID' })
  id!: string;
}
