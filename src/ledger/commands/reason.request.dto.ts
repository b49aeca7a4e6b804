import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from './source.request.dto';
import { NestedObject } from '../http/validation';

/** A command that needs only a stated reason (retire, fail): the body all of them share. */
export class ReasonRequest {
  @ApiProperty({ example: 'superseded by 1.1.0', description: 'Why; kept in the ledger' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
