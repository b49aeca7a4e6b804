import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { REGION, REGION_HINT } from '../../../ledger/commands/identifiers';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';

export const DATASET_LISTING = {
  sorts: {
    name: [{ expr: 'd.name', type: 'text', field: 'name' }],
    latestRegisteredAt: [
      { expr: 'd."latestRegisteredAt"', type: 'timestamptz', field: 'latestRegisteredAt' },
      { expr: 'd.name', type: 'text', field: 'name' },
    ],
  },
  defaultSort: 'name',
  range: {
    expr: 'd."latestRegisteredAt"',
    type: 'timestamptz',
    name: 'latestRegisteredAt (when its newest version was registered)',
  },
} as const satisfies Listing;

export class ListDatasetsRequest extends PageRequest(DATASET_LISTING) {
  @ApiPropertyOptional({
    example: 'ap-southeast-2',
    description: 'Only datasets with a version held in this region',
  })
  @IsOptional()
  @Matches(REGION, { message: `region must be ${REGION_HINT}` })
  region?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: only datasets with a version holding personal information; false: only those without',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'personal must be true or false' })
  personal?: 'true' | 'false';
}
