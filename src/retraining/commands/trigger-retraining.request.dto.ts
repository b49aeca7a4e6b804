import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class TriggerRetrainingRequest {
  @ApiProperty({
    example: 'the bureau changed its score bands on 1 March',
    description: 'Why the model should be trained again; kept in the ledger, so name no person',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}
