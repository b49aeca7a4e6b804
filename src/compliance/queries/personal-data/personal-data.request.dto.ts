import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { RESOURCE_NAME, VERSION } from '../../../ledger/commands/identifiers';

const inner = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

/** `<name>@<version>` of the last item of the previous page. */
export const PERSONAL_DATA_CURSOR = new RegExp(`^(${inner(RESOURCE_NAME)})@(${inner(VERSION)})$`);

export class PersonalDataRequest {
  @ApiPropertyOptional({
    example: 'ap-southeast-2',
    description: 'Only dataset versions held in this region or country',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{2,32}$/, {
    message: 'region must be a region or country code such as ap-southeast-2 or AU',
  })
  region?: string;

  @ApiPropertyOptional({
    example: 'credit-applications@2026-01',
    description: 'Cursor (exclusive): the previous page’s nextCursor',
  })
  @IsOptional()
  @Matches(PERSONAL_DATA_CURSOR, { message: 'after must be a nextCursor from a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
