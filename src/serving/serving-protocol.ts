import type { ScoringModel } from '../evaluation/service-evaluation';

/**
 * Messages between the serving pool and its worker threads (README, "Serving"): a request's rows
 * travel as typed columns (numbers as a transferred Float64Array, text as strings), never as JSON.
 */
export type ScoreRequest = {
  id: number;
  model: ScoringModel;
  rows: number;
  numeric: { name: string; values: Float64Array }[];
  text: { name: string; values: string[] }[];
};

export type ScoreReply =
  { id: number; scores: Float64Array } | { id: number; error: string; field: string | null };

/** What a worker is started with. */
export type ServingWorkerOptions = {
  /** Scorers (one onnxruntime session each) a worker keeps, least recently used dropped first. */
  maxSessions: number;
};
