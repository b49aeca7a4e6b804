import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { SourceRequest } from './source.request.dto';

/** A command that needs only a stated reason (retire, fail): the body all of them share. */
export class ReasonRequest {
  @ApiProperty({ example: 'superseded by 1.1.0', description: 'Why; kept in the ledger' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}
