import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import { UUID } from '../ledger/commands/identifiers';

export class TrainingRunPath {
  @ApiProperty({ format: 'uuid', example: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  @Matches(UUID, { message: 'id must be a training run id (a UUID)' })
  id!: string;
}
