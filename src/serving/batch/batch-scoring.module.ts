import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../../artifacts/artifacts.module';
import { ServingModule } from '../serving.module';
import { BatchScoringJobStore } from './batch-scoring-job.store';
import { BatchScoringRunner } from './batch-scoring-runner';
import { StartBatchScoringHandler } from './commands/start-batch-scoring/start-batch-scoring.handler';
import { StartBatchScoringHttpController } from './commands/start-batch-scoring/start-batch-scoring.http.controller';
import { BatchScoringJobsHttpController } from './queries/batch-scoring-jobs/batch-scoring-jobs.http.controller';

/**
 * Batch scoring (README, "Batch scoring"): a CSV scored by what a deployment serves, as a job
 * with progress and a result file, every row with its decision receipt. Scores with ServingModule's
 * resolver and workers; writes receipts through the global ReceiptsModule's ReceiptSink.
 */
@Module({
  imports: [ArtifactsModule, ServingModule],
  controllers: [StartBatchScoringHttpController, BatchScoringJobsHttpController],
  providers: [StartBatchScoringHandler, BatchScoringJobStore, BatchScoringRunner],
  exports: [BatchScoringRunner, BatchScoringJobStore],
})
export class BatchScoringModule {}
