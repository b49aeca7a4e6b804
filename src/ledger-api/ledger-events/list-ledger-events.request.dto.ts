import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { STREAM_NAME, STREAM_NAME_HINT } from '../../ledger/stream-names';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ListLedgerEventsRequest {
  @ApiPropertyOptional({
    description: 'Only this stream, in revision order',
    example: 'dataset-loans',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(STREAM_NAME, { message: `stream must be ${STREAM_NAME_HINT}` })
  stream?: string;

  @ApiPropertyOptional({
    description:
      'Cursor (exclusive): a revision when `stream` is given, otherwise a ledger position (the previous page’s nextCursor)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
