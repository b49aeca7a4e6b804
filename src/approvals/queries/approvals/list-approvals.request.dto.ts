import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  UUID,
} from '../../../ledger/commands/identifiers';
import {
  AS_OF_DESCRIPTION,
  IsInstant,
} from '../../../deployments/queries/deployments-as-of/as-of.request.dto';
import { APPROVAL_STATUSES, type ApprovalStatus } from './approval.read-model';

export class ListApprovalsRequest {
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

  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @Matches(UUID, { message: 'after must be an approval id' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: `${AS_OF_DESCRIPTION}. A request made later is absent; a stage granted later shows pending`,
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
