import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../../../ledger/commands/identifiers';

export class ListModelsRequest {
  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `after must be ${RESOURCE_NAME_HINT}` })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
