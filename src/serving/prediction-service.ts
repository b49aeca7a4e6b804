import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { SERVER_PEPPER } from '../config/config.module';
import type { SubjectPepper } from '../config/subject-pepper';
import { ReceiptSink } from './decision-receipt';
import type { ServedModel } from './served-model';
import {
  ONNXRUNTIME_VERSION,
  ServingResolver,
  ServingScorer,
  buildReceipt,
  validateRows,
} from './serving-api';

/** One scored row as a caller receives it. */
export type Prediction = {
  score: number;
  decision: 'positive' | 'negative';
  label: string;
  receiptId: string;
};

export type PredictionResult = {
  requestId: string;
  deploymentId: string;
  model: string;
  version: string;
  arm: ServedModel['arm'];
  artifactDigest: string;
  threshold: number;
  predictions: Prediction[];
};

/**
 * A prediction request end to end (README, "Serving"): resolve the deployment from the ledger,
 * check the rows, score them in a worker thread, and store every row's receipt before the answer
 * leaves. A refused request (unknown deployment, bad rows) writes no receipt.
 */
@Injectable()
export class PredictionService {
  constructor(
    private readonly resolver: ServingResolver,
    private readonly scorer: ServingScorer,
    private readonly receipts: ReceiptSink,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
  ) {}

  async predict(request: {
    deploymentId: string;
    requestId: string;
    subjectRef: string | null;
    /** The rows, or how to read them from the request once the served version is known. */
    rows: unknown;
    /** Reads and validates (validateRows) the rows against the served version. */
    toRows?: (model: ServedModel) => Record<string, unknown>[];
  }): Promise<PredictionResult> {
    const started = performance.now();
    const model = await this.resolver.resolve(request.deploymentId, request.requestId);
    let rows: Record<string, unknown>[];
    if (request.toRows) {
      rows = request.toRows(model);
    } else {
      validateRows(model, request.rows);
      rows = request.rows;
    }
    const scores = await this.scorer.score(model, rows);
    const latencyMs = performance.now() - started;
    const scoredAt = new Date().toISOString();
    const written = rows.map((row, i) =>
      buildReceipt({
        model,
        row,
        score: scores[i],
        requestId: request.requestId,
        subjectRef: request.subjectRef,
        latencyMs,
        pepper: this.pepper.secret,
        onnxruntimeVersion: ONNXRUNTIME_VERSION,
        scoredAt,
      }),
    );
    await this.receipts.write(written);
    return {
      requestId: request.requestId,
      deploymentId: model.deploymentId,
      model: model.model,
      version: model.version,
      arm: model.arm,
      artifactDigest: model.artifactDigest,
      threshold: model.threshold,
      predictions: written.map(({ receipt }) => ({
        score: receipt.outputs.score,
        decision: receipt.decision,
        label: receipt.label,
        receiptId: receipt.receiptId,
      })),
    };
  }
}
