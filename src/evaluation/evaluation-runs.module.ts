import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { StartEvaluationRunHandler } from './commands/start-evaluation-run/start-evaluation-run.handler';
import { StartEvaluationRunHttpController } from './commands/start-evaluation-run/start-evaluation-run.http.controller';
import { EvaluationEngineModule } from './engine';
import { EvaluationRunsHttpController } from './queries/evaluation-runs/evaluation-runs.http.controller';
import { EvaluationRunStore } from './runs/evaluation-run.store';
import { EvaluationRunner } from './runs/evaluation-runner';

/**
 * Evaluation runs (README, "Evaluation runs"): Attest scores a version's stored artifact on a
 * stored holdout and records the ModelEvaluated itself. EvaluationRunner is exported so the
 * approvals capability can provide EVALUATION_PASSED_HOOK next to it.
 */
@Module({
  imports: [ArtifactsModule, EvaluationEngineModule],
  controllers: [StartEvaluationRunHttpController, EvaluationRunsHttpController],
  providers: [StartEvaluationRunHandler, EvaluationRunStore, EvaluationRunner],
  exports: [EvaluationRunner, EvaluationRunStore],
})
export class EvaluationRunsModule {}
