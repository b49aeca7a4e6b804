import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { STREAM_NAME, STREAM_NAME_HINT } from '../../ledger/stream-names';

export class ListStreamsRequest {
  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(STREAM_NAME, { message: `after must be ${STREAM_NAME_HINT}` })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class StreamParams {
  @ApiProperty({ example: 'dataset-loans' })
  @IsString()
  @MaxLength(200)
  @Matches(STREAM_NAME, { message: `stream must be ${STREAM_NAME_HINT}` })
  stream!: string;
}
