import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompleteTrainingRunHandler } from './commands/complete-training-run/complete-training-run.handler';
import { CompleteTrainingRunHttpController } from './commands/complete-training-run/complete-training-run.http.controller';
import { FailTrainingRunHandler } from './commands/fail-training-run/fail-training-run.handler';
import { FailTrainingRunHttpController } from './commands/fail-training-run/fail-training-run.http.controller';
import { StartTrainingRunHandler } from './commands/start-training-run/start-training-run.handler';
import { StartTrainingRunHttpController } from './commands/start-training-run/start-training-run.http.controller';
import { TrainingRunRecord } from './queries/training-runs/training-run.read-model';
import { TrainingRunsHttpController } from './queries/training-runs/training-runs.http.controller';
import { TrainingRunsProjection } from './queries/training-runs/training-runs.projection';
import {
  GetTrainingRunQueryHandler,
  ListTrainingRunsQueryHandler,
} from './queries/training-runs/training-runs.query-handler';

@Module({
  imports: [TypeOrmModule.forFeature([TrainingRunRecord])],
  controllers: [
    StartTrainingRunHttpController,
    CompleteTrainingRunHttpController,
    FailTrainingRunHttpController,
    TrainingRunsHttpController,
  ],
  providers: [
    // commands
    StartTrainingRunHandler,
    CompleteTrainingRunHandler,
    FailTrainingRunHandler,
    // read side
    TrainingRunsProjection,
    GetTrainingRunQueryHandler,
    ListTrainingRunsQueryHandler,
  ],
})
export class TrainingRunsModule {}
