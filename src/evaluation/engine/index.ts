/**
 * The evaluation engine: Attest scores a registered holdout dataset with the registered ONNX
 * artifact in worker threads and measures it (README, "Evaluation runs").
 */
export { EvaluationFailed } from './evaluation-failed';
export {
  defaultIntraOpThreads,
  EVALUATION_ENGINE_OPTIONS,
  EvaluationEngine,
  type EvaluationEngineOptions,
} from './evaluation-engine';
export { EvaluationEngineModule } from './evaluation-engine.module';
export { evaluateInProcess, BATCH_ROWS, type EvaluateOptions } from './evaluate-in-process';
export { OTHER_CATEGORY } from './measures';
