import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../../../ledger/commands/identifiers';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
import { TRAINING_RUN_STATUSES, type TrainingRunStatus } from './training-run.read-model';

export const TRAINING_RUN_LISTING = {
  sorts: {
    startedAt: [
      { expr: 'r.startedAt', type: 'timestamptz', field: 'startedAt' },
      { expr: 'r.runId', type: 'uuid', field: 'runId' },
    ],
  },
  defaultSort: '-startedAt',
  range: { expr: 'r.startedAt', type: 'timestamptz', name: 'startedAt' },
  defaultLimit: 50,
  maxLimit: 200,
} as const satisfies Listing;

export class ListTrainingRunsRequest extends PageRequest(TRAINING_RUN_LISTING) {
  @ApiPropertyOptional({ example: 'credit-risk', description: 'Only runs of this model' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;

  @ApiPropertyOptional({ enum: TRAINING_RUN_STATUSES })
  @IsOptional()
  @IsIn(TRAINING_RUN_STATUSES, {
    message: `status must be one of ${TRAINING_RUN_STATUSES.join(', ')}`,
  })
  status?: TrainingRunStatus;
}
