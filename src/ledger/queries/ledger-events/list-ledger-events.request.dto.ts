import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ListLedgerEventsRequest {
  @ApiPropertyOptional({
    description: 'Only this stream, in revision order',
    example: 'dataset-loans',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, {
    message: 'stream must be a stream name such as dataset-loans',
  })
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
