import { Global, Module } from '@nestjs/common';
import { IntegrityModule } from '../integrity/integrity.module';
import { ReceiptSink } from '../serving/decision-receipt';
import { ReceiptsHttpController } from './http/receipts.http.controller';
import { OutcomesHttpController } from './outcomes/outcomes.http.controller';
import { ReceiptOutcomes } from './outcomes/receipt-outcomes';
import { ReceiptProofs } from './receipt-proofs';
import { ReceiptSealer } from './receipt-sealer';
import { ReceiptWriter } from './receipt-writer';

/** Decision receipts (README, "Decision receipts"): written before the answer, sealed into PredictionBatchRecorded, proven by GET /receipts/{id}. */
@Global()
@Module({
  imports: [IntegrityModule],
  controllers: [ReceiptsHttpController, OutcomesHttpController],
  providers: [
    ReceiptWriter,
    { provide: ReceiptSink, useExisting: ReceiptWriter },
    ReceiptSealer,
    ReceiptProofs,
    ReceiptOutcomes,
  ],
  exports: [ReceiptSink, ReceiptWriter, ReceiptSealer, ReceiptOutcomes],
})
export class ReceiptsModule {}
