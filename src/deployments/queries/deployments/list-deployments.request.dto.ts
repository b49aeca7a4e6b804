import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
import { AS_OF_DESCRIPTION, IsInstant } from '../../../ledger/queries/as-of.request.dto';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
} from '../../../ledger/commands/identifiers';

export const DEPLOYMENT_STATUSES = ['active', 'inactive', 'retired'] as const;

export const DEPLOYMENT_LISTING = {
  sorts: {
    model: [
      { expr: 'd.model', type: 'text', field: 'model' },
      { expr: 'd.environment', type: 'text', field: 'environment' },
    ],
    updatedAt: [
      { expr: 'd.updatedAt', type: 'timestamptz', field: 'updatedAt' },
      { expr: 'd.deploymentId', type: 'text', field: 'deploymentId' },
    ],
  },
  defaultSort: 'model',
  range: { expr: 'd.updatedAt', type: 'timestamptz', name: 'updatedAt (its last change)' },
} as const satisfies Listing;

/** Filters of GET /deployments; with `asOf` they apply to the deployments as they stood then. */
export class ListDeploymentsRequest extends PageRequest(DEPLOYMENT_LISTING) {
  @ApiPropertyOptional({ example: 'production', description: ENVIRONMENT_HINT })
  @IsOptional()
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment?: string;

  @ApiPropertyOptional({ example: 'credit-risk', description: RESOURCE_NAME_HINT })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;

  @ApiPropertyOptional({ enum: DEPLOYMENT_STATUSES, description: 'Omitted: every status' })
  @IsOptional()
  @IsIn(DEPLOYMENT_STATUSES, { message: 'status must be active, inactive or retired' })
  status?: (typeof DEPLOYMENT_STATUSES)[number];

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: `${AS_OF_DESCRIPTION}. Each item then also lists the versions serving, the approval each rested on with its approvers, and the dataset versions behind each`,
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
