import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
} from '../../../ledger/commands/identifiers';
import { AS_OF_DESCRIPTION, IsInstant } from '../../../ledger/queries/as-of.request.dto';
import { APPROVAL_STATUSES, type ApprovalStatus } from './approval.read-model';

const byRequestTime = (requestedAt: string, id: string, fields: [string, string]) =>
  ({
    sorts: {
      requestedAt: [
        { expr: requestedAt, type: 'timestamptz', field: fields[0] },
        { expr: id, type: 'uuid', field: fields[1] },
      ],
    },
    defaultSort: 'requestedAt',
    range: { expr: requestedAt, type: 'timestamptz', name: 'requestedAt' },
    maxLimit: 1000,
  }) as const satisfies Listing;

export const APPROVAL_LISTING = byRequestTime('a.requestedAt', 'a.id', ['requestedAt', 'id']);
/** The same order over `approval_timeline` snapshots (for asOf). */
export const APPROVAL_SNAPSHOT_LISTING = byRequestTime('"requestedAt"', '"approvalId"', [
  'requestedAt',
  'approvalId',
]);

export class ListApprovalsRequest extends PageRequest(APPROVAL_LISTING) {
  @ApiPropertyOptional({
    enum: APPROVAL_STATUSES,
    description:
      'pending is the caller’s inbox: only stages the caller may decide (regulators and admins see every pending request, read-only). With asOf: the status each request had then, for every caller',
  })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES, { message: `status must be one of ${APPROVAL_STATUSES.join(', ')}` })
  status?: ApprovalStatus;

  @ApiPropertyOptional({ example: 'credit-risk' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;

  @ApiPropertyOptional({ example: 'production' })
  @IsOptional()
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: `${AS_OF_DESCRIPTION}. A request made later is absent; a stage granted later shows pending`,
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
