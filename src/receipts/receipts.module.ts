import { Global, Module } from '@nestjs/common';
import { ReceiptSink } from './decision-receipt';
import { ReceiptSealer } from './receipt-sealer';
import { ReceiptWriter } from './receipt-writer';

/** Decision receipts (README, "Decision receipts"): written before the answer, sealed into PredictionBatchRecorded, proven by GET /receipts/{id}. */
@Global()
@Module({
  providers: [ReceiptWriter, { provide: ReceiptSink, useExisting: ReceiptWriter }, ReceiptSealer],
  exports: [ReceiptSink, ReceiptWriter, ReceiptSealer],
})
export class ReceiptsModule {}
