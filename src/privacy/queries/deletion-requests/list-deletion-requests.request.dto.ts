import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { DeletionRequestStatus } from './deletion-request.read-model';

export const DELETION_REQUEST_STATUSES: readonly DeletionRequestStatus[] = [
  'open',
  'assessed',
  'fulfilled',
];

/** `<dueOn>_<id>` of the last row of the previous page. */
export const DELETION_REQUEST_CURSOR =
  /^(\d{4}-\d{2}-\d{2})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export class ListDeletionRequestsRequest {
  @ApiPropertyOptional({ enum: DELETION_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(DELETION_REQUEST_STATUSES, {
    message: `status must be one of ${DELETION_REQUEST_STATUSES.join(', ')}`,
  })
  status?: DeletionRequestStatus;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: not fulfilled and past the due date today; false: all others',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue must be true or false' })
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @Matches(DELETION_REQUEST_CURSOR, { message: 'after must be a nextCursor from a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
