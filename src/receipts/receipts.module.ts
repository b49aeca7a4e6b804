import { Module } from '@nestjs/common';

/** Decision receipts (README, "Decision receipts"): written before the answer, sealed into PredictionBatchRecorded, proven by GET /receipts/{id}. */
@Module({})
export class ReceiptsModule {}
