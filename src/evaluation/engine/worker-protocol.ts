import type { EvaluationJob, EvaluationMeasures, EvaluationProgress } from '../service-evaluation';

/** What the engine sends a scoring worker. */
export type WorkerRequest = { id: number; job: EvaluationJob };

/** What a scoring worker answers: progress, then exactly one of done, failed or error. */
export type WorkerReply =
  | { type: 'progress'; id: number; progress: EvaluationProgress }
  | { type: 'done'; id: number; measures: EvaluationMeasures }
  | { type: 'failed'; id: number; message: string; field: string | null }
  | { type: 'error'; id: number; message: string };
