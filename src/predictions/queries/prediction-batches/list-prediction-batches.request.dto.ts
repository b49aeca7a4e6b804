import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';

const byWindowEnd = (alias: string, id: string) =>
  ({
    sorts: {
      windowTo: [
        { expr: `${alias}.windowTo`, type: 'timestamptz', field: 'windowTo' },
        { expr: `${alias}.${id}`, type: 'uuid', field: id },
      ],
      recordedAt: [
        { expr: `${alias}.recordedAt`, type: 'timestamptz', field: 'recordedAt' },
        { expr: `${alias}.${id}`, type: 'uuid', field: id },
      ],
    },
    defaultSort: '-windowTo',
    range: { expr: `${alias}.windowTo`, type: 'timestamptz', name: 'window end (windowTo)' },
    maxLimit: 1000,
  }) as const satisfies Listing;

export const PREDICTION_BATCH_LISTING = byWindowEnd('b', 'batchId');
export const GROUND_TRUTH_LISTING = byWindowEnd('g', 'groundTruthId');

export class ListPredictionBatchesRequest extends PageRequest(PREDICTION_BATCH_LISTING) {}
export class ListGroundTruthRequest extends PageRequest(GROUND_TRUTH_LISTING) {}
