import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
import type { DeletionRequestStatus } from './deletion-request.read-model';

export const DELETION_REQUEST_STATUSES: readonly DeletionRequestStatus[] = [
  'open',
  'assessed',
  'fulfilled',
];

export const DELETION_REQUEST_LISTING = {
  sorts: {
    dueOn: [
      { expr: 'r.dueOn', type: 'date', field: 'dueOn' },
      { expr: 'r.id', type: 'uuid', field: 'id' },
    ],
    receivedOn: [
      { expr: 'r.receivedOn', type: 'date', field: 'receivedOn' },
      { expr: 'r.id', type: 'uuid', field: 'id' },
    ],
  },
  defaultSort: 'dueOn',
  range: { expr: 'r.receivedOn', type: 'date', name: 'receivedOn' },
  maxLimit: 1000,
} as const satisfies Listing;

export class ListDeletionRequestsRequest extends PageRequest(DELETION_REQUEST_LISTING) {
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
}
