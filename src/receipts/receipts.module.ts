import { Global, Module } from '@nestjs/common';
import { ReceiptSink } from './decision-receipt';
import { ReceiptWriter } from './receipt-writer';

/** Decision receipts (README, "Decision receipts"): written before the answer, sealed into PredictionBatchRecorded, proven by GET /receipts/{id}. */
@Global()
@Module({
  providers: [ReceiptWriter, { provide: ReceiptSink, useExisting: ReceiptWriter }],
  exports: [ReceiptSink, ReceiptWriter],
})
export class ReceiptsModule {}
