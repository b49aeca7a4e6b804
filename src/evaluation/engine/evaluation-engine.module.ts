import { availableParallelism } from 'node:os';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  defaultIntraOpThreads,
  EVALUATION_ENGINE_OPTIONS,
  EvaluationEngine,
  type EvaluationEngineOptions,
} from './evaluation-engine';

/** The evaluation engine, its worker pool sized by EVALUATION_WORKERS. */
@Module({
  providers: [
    {
      provide: EVALUATION_ENGINE_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): EvaluationEngineOptions => ({
        workers: config.evaluation.workers,
        intraOpNumThreads: defaultIntraOpThreads(availableParallelism(), config.evaluation.workers),
      }),
    },
    EvaluationEngine,
  ],
  exports: [EvaluationEngine],
})
export class EvaluationEngineModule {}
