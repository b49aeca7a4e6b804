import { createHmac } from 'node:crypto';
import { env as ortEnv } from 'onnxruntime-node';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../ledger/canonical-json';
import { InvalidRequest } from '../ledger/ledger.errors';
import { SubjectHasher } from '../privacy/subject-hasher';
import type { ReceiptToWrite } from './decision-receipt';
import { type ServedModel, categoryBin, numericBin } from './served-model';

/**
 * What serving offers the rest of Attest (README, "Serving"): resolve what a deployment serves
 * for a request, validate rows against it, score them, and build each row's receipt. Batch
 * scoring uses the same four pieces as the predict endpoint.
 */

/** The onnxruntime this process scores with, as every receipt names it. */
export const ONNXRUNTIME_VERSION = ortEnv.versions.node ?? ortEnv.versions.common;

/** Most rows one request may carry. */
export const MAX_ROWS = 1000;

/**
 * Resolves a deployment to what it serves for one request, from the ledger on every call (a
 * deploy, promotion or rollback changes the next request, on every replica). Throws NotRecorded
 * (404) for an unknown deployment and StateConflict (409) for a retired or emptied one.
 * Implemented by ./serving-resolver.ts; the class is the Nest injection token.
 */
export abstract class ServingResolver {
  abstract resolve(deploymentId: string, requestId: string): Promise<ServedModel>;
}

/**
 * Scores validated rows (see validateRows) with the model's stored artifact, all rows in one
 * `session.run` in a worker thread; the result has one score per row, in order.
 * Implemented by ./serving-pool.ts; the class is the Nest injection token.
 */
export abstract class ServingScorer {
  abstract score(model: ServedModel, rows: Record<string, unknown>[]): Promise<Float64Array>;
}

/**
 * Checks rows against the model's features: every feature present, numbers finite (whole for an
 * integer input), text as strings, nothing unknown; throws InvalidRequest (400) naming
 * `rows.<i>.<feature>`, or `rows` itself when it is not 1..MAX_ROWS objects. Never echoes a value.
 */
export function validateRows(
  model: Pick<ServedModel, 'features'> & Partial<Pick<ServedModel, 'scoring'>>,
  rows: unknown,
  field = 'rows',
): asserts rows is Record<string, unknown>[] {
  const booleans = booleanFeatures(model);
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_ROWS) {
    throw new InvalidRequest(`${field} must be an array of 1 to ${MAX_ROWS} rows`, {
      [field]: [`an array of 1 to ${MAX_ROWS} objects of named features`],
    });
  }
  const errors: Record<string, string[]> = {};
  const known = new Set(model.features.map((feature) => feature.name));
  const add = (key: string, message: string) => {
    if (Object.keys(errors).length < 50) (errors[key] ??= []).push(message);
  };
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      add(`${field}.${i}`, 'must be an object of named features');
      return;
    }
    const values = row as Record<string, unknown>;
    for (const feature of model.features) {
      const at = `${field}.${i}.${feature.name}`;
      if (!Object.hasOwn(values, feature.name)) {
        add(at, 'missing');
        continue;
      }
      const value = values[feature.name];
      if (feature.kind === 'numeric') {
        if (typeof value !== 'number') add(at, 'must be a number');
        else if (!Number.isFinite(value)) add(at, 'must be a finite number');
        else if (feature.integer && !Number.isInteger(value)) add(at, 'must be a whole number');
      } else if (booleans.has(feature.name)) {
        if (
          typeof value !== 'boolean' &&
          !(typeof value === 'string' && BOOLEAN_TEXT.test(value))
        ) {
          add(at, 'must be true or false');
        }
      } else if (typeof value !== 'string') {
        add(at, 'must be a string');
      }
    }
    for (const name of Object.keys(values)) {
      if (!known.has(name)) add(`${field}.${i}.${name}`, 'not a feature of this model');
    }
  });
  if (Object.keys(errors).length > 0) {
    throw new InvalidRequest(`${field} do not fit the served model's features`, errors);
  }
}

/** What a bool input reads as true or false (the evaluation engine's reading of a text column). */
const BOOLEAN_TEXT = /^\s*(true|false|1|0)\s*$/i;

/** The features that feed bool inputs: JSON booleans, or "true"/"false"/"1"/"0". */
export function booleanFeatures(model: Partial<Pick<ServedModel, 'scoring'>>): Set<string> {
  const names = new Set<string>();
  for (const input of model.scoring?.inputs ?? []) {
    if (input.elementType !== 'bool') continue;
    const given = model.scoring?.columns[input.name] ?? input.name;
    for (const name of typeof given === 'string' ? [given] : given) names.add(name);
  }
  return names;
}

/** What one receipt is built from. */
export type ReceiptInput = {
  model: ServedModel;
  row: Record<string, unknown>;
  score: number;
  requestId: string;
  /** The caller's subject reference as given (it is hashed here), or null. */
  subjectRef: string | null;
  latencyMs: number;
  /** The privacy pepper: keys the input digest and the subject reference. */
  pepper: string;
  onnxruntimeVersion: string;
  /** Defaults: a new UUIDv7, now. */
  receiptId?: string;
  scoredAt?: string;
};

/** `hmac-sha256:<hex>` of text under the pepper. */
export function keyedDigest(pepper: string, text: string): string {
  return `hmac-sha256:${createHmac('sha256', Buffer.from(pepper, 'utf8')).update(text, 'utf8').digest('hex')}`;
}

/** Positive decision at or above the threshold. */
export function decide(model: ServedModel, score: number): 'positive' | 'negative' {
  return score >= model.threshold ? 'positive' : 'negative';
}

/**
 * A scored row's receipt and its summary (README, "Decision receipts"): the inputs only as their
 * HMAC under the pepper, bins as indices into the version's Binning.
 */
export function buildReceipt(input: ReceiptInput): ReceiptToWrite {
  const { model, row, score } = input;
  const decision = decide(model, score);
  const featureBins: Record<string, number | null> = {};
  for (const [name, edges] of Object.entries(model.binning.numeric)) {
    const value = row[name];
    featureBins[name] = typeof value === 'number' ? numericBin(edges, value) : null;
  }
  for (const [name, categories] of Object.entries(model.binning.categorical)) {
    const value = row[name];
    featureBins[name] = typeof value === 'string' ? categoryBin(categories, value) : null;
  }
  return {
    receipt: {
      receiptId: input.receiptId ?? uuidv7(),
      deploymentId: model.deploymentId,
      model: model.model,
      environment: model.environment,
      version: model.version,
      arm: model.arm,
      artifactDigest: model.artifactDigest,
      onnxruntimeVersion: input.onnxruntimeVersion,
      inputDigest: keyedDigest(input.pepper, canonicalJson(row)),
      outputs: { score },
      threshold: model.threshold,
      decision,
      label: decision === 'positive' ? model.labels.positive : model.labels.negative,
      requestId: input.requestId,
      // The ref every other record of this subject carries, so a deletion request finds it.
      subjectRef:
        input.subjectRef === null ? null : new SubjectHasher(input.pepper).ref(input.subjectRef),
      scoredAt: input.scoredAt ?? new Date().toISOString(),
    },
    summary: {
      latencyMs: input.latencyMs,
      scoreBin: numericBin(model.binning.score, score),
      featureBins,
      binning: model.binning,
    },
  };
}
