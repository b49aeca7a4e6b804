import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { REGION, REGION_HINT } from '../../../ledger/commands/identifiers';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';

export const PERSONAL_DATA_LISTING = {
  sorts: {
    name: [
      { expr: 'name', type: 'text', field: 'name' },
      { expr: 'version', type: 'text', field: 'version' },
    ],
    registeredAt: [
      { expr: 'registered_at', type: 'timestamptz', field: 'registered_at' },
      { expr: 'name', type: 'text', field: 'name' },
      { expr: 'version', type: 'text', field: 'version' },
    ],
  },
  defaultSort: 'name',
  range: { expr: 'registered_at', type: 'timestamptz', name: 'registeredAt' },
} as const satisfies Listing;

export class PersonalDataRequest extends PageRequest(PERSONAL_DATA_LISTING) {
  @ApiPropertyOptional({
    example: 'ap-southeast-2',
    description: 'Only dataset versions held in this region or country',
  })
  @IsOptional()
  @Matches(REGION, { message: `region must be ${REGION_HINT}` })
  region?: string;
}
