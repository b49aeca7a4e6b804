import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { UUID } from '../../ledger/commands/identifiers';

/** `{id}` of every /alerts/{id}… route. */
export class AlertPath {
  @ApiProperty({ format: 'uuid', example: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f' })
  @Matches(UUID, { message: 'id must be an alert id (a lower-case UUID)' })
  id!: string;
}
