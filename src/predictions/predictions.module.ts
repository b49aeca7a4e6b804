import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordGroundTruthHandler } from './commands/record-ground-truth/record-ground-truth.handler';
import { RecordGroundTruthHttpController } from './commands/record-ground-truth/record-ground-truth.http.controller';
import { RecordPredictionBatchHandler } from './commands/record-prediction-batch/record-prediction-batch.handler';
import { RecordPredictionBatchHttpController } from './commands/record-prediction-batch/record-prediction-batch.http.controller';
import {
  GroundTruthRow,
  PredictionBatchRow,
} from './queries/prediction-batches/prediction-batch.read-model';
import {
  ListGroundTruthQueryHandler,
  ListPredictionBatchesQueryHandler,
} from './queries/prediction-batches/prediction-batches.query-handler';
import { PredictionBatchesHttpController } from './queries/prediction-batches/prediction-batches.http.controller';
import { GetPredictionSpanQueryHandler } from './queries/prediction-span/prediction-span.query-handler';
import { PredictionsProjection } from './queries/prediction-batches/predictions.projection';
import { DeploymentsReader } from '../deployments/queries/deployments/deployments.reader';

@Module({
  imports: [TypeOrmModule.forFeature([PredictionBatchRow, GroundTruthRow])],
  controllers: [
    RecordPredictionBatchHttpController,
    RecordGroundTruthHttpController,
    PredictionBatchesHttpController,
  ],
  providers: [
    RecordPredictionBatchHandler,
    RecordGroundTruthHandler,
    PredictionsProjection,
    ListPredictionBatchesQueryHandler,
    ListGroundTruthQueryHandler,
    GetPredictionSpanQueryHandler,
    // The deployments' read interface (docs/architecture.md, "Boundaries").
    DeploymentsReader,
  ],
})
export class PredictionsModule {}
