/**
 * What the chaos writers send: pipeline writes over the HTTP API (dataset version registrations,
 * training runs, prediction batches), each with its own Idempotency-Key and a body that names it
 * uniquely, retried with the same key and body after a connection error, as a real pipeline would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { versionArtifact } from '../support/stored-artifacts';
import { HttpAnswer, HttpClient, sleep } from './service';

export type WriteKind = 'dataset-version' | 'training-run' | 'prediction-batch';

export const MODEL = 'chaos-credit';
export const ENVIRONMENT = 'staging';
export const DEPLOYMENT = `${MODEL}.${ENVIRONMENT}`;
export const BASE_DATASET = { name: 'chaos-base', version: 'v1' };
/** Writers share these dataset streams, so their appends race (decided again after a lost race). */
export const SHARED_DATASETS = 4;
export const datasetName = (writer: number) => `chaos-ds-${writer % SHARED_DATASETS}`;

/** One write as the pipeline sends it: the key and body never change between attempts. */
export interface WriteRequest {
  kind: WriteKind;
  writer: number;
  key: string;
  path: string;
  body: Record<string, unknown>;
  /** What makes this write recognisable in the ledger: version, commit or input digest. */
  marker: string;
  attempts: number;
}

export interface Acknowledged {
  request: WriteRequest;
  id: string;
  ledgerPosition: string;
  eventIds: string[];
  replayed: boolean;
  /** Requests sent for this key, the acknowledged one included. */
  attempts: number;
}

export interface WriterFigures {
  attempted: number;
  acknowledged: Acknowledged[];
  /** Sends of a key after its first (connection errors, 409 in flight, 503, 5xx). */
  resends: number;
  /** Requests cut by a kill: the connection reset or closed before an answer. */
  cut: number;
  /** Requests refused a connection while the service was down. */
  connectionRefused: number;
  inFlight409: number;
  unavailable503: number;
  serverErrors: { status: number; body: unknown; path: string }[];
  refused: { request: WriteRequest; status: number; body: unknown }[];
  /** Requests never acknowledged when the writers stopped (the drain deadline passed). */
  unresolved: WriteRequest[];
}

export function emptyFigures(): WriterFigures {
  return {
    attempted: 0,
    acknowledged: [],
    resends: 0,
    cut: 0,
    connectionRefused: 0,
    inFlight409: 0,
    unavailable503: 0,
    serverErrors: [],
    refused: [],
    unresolved: [],
  };
}

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
/** The deployed version's ONNX file: deploying needs it stored. */
const MODEL_ARTIFACT = versionArtifact('chaos');

function datasetVersionBody(version: string, rows: number) {
  return {
    version,
    contentHash: digest(),
    rows,
    schema: [
      { name: 'term_months', type: 'number', personal: false, sensitive: false },
      { name: 'loan_amount', type: 'number', personal: false, sensitive: false },
    ],
    location: `s3://chaos/${version}.parquet`,
    region: 'ap-southeast-2',
  };
}

function predictionBatchBody(sequence: number, inputDigest: string) {
  const from = new Date(Date.UTC(2026, 10, 1) + sequence * 60_000);
  return {
    version: '1.0.0',
    count: 1000,
    window: { from: from.toISOString(), to: new Date(from.getTime() + 60_000).toISOString() },
    inputDigest,
    outputDistribution: { approve: 620, refer: 270, decline: 110 },
    featureSummaries: [{ feature: 'income', mean: 84211.5, stddev: 21533.2, missing: 3 }],
    latencyMs: { p50: 12.5, p95: 41.2, p99: 87.9 },
    decisions: { automated: 731, referred: 269 },
  };
}

/** The `sequence`-th write of `writer`: the three kinds in turn. */
export function nextWrite(
  store: string,
  writer: number,
  sequence: number,
  lastDataset: { name: string; version: string } | undefined,
): WriteRequest {
  const key = `chaos-${store}-${writer}-${sequence}-${randomBytes(4).toString('hex')}`;
  const kind = (['dataset-version', 'training-run', 'prediction-batch'] as const)[sequence % 3];
  if (kind === 'dataset-version') {
    const version = `w${writer}-${sequence}`;
    return {
      kind,
      writer,
      key,
      path: `/api/v1/datasets/${datasetName(writer)}/versions`,
      body: datasetVersionBody(version, sequence),
      marker: `${datasetName(writer)}@${version}`,
      attempts: 0,
    };
  }
  if (kind === 'training-run') {
    const commit = createHash('sha1').update(key).digest('hex');
    return {
      kind,
      writer,
      key,
      path: '/api/v1/training-runs',
      body: {
        model: MODEL,
        datasetVersions: [BASE_DATASET, ...(lastDataset ? [lastDataset] : [])],
        code: { repository: 'git@example:chaos/credit.git', commit },
        algorithm: 'xgboost',
        hyperparameters: { depth: 4 + (sequence % 5), writer },
      },
      marker: commit,
      attempts: 0,
    };
  }
  const inputDigest = digest();
  return {
    kind,
    writer,
    key,
    path: `/api/v1/deployments/${DEPLOYMENT}/prediction-batches`,
    body: predictionBatchBody(writer * 100_000 + sequence, inputDigest),
    marker: inputDigest,
    attempts: 0,
  };
}

type Outcome =
  | { kind: 'ack'; ack: Acknowledged }
  | { kind: 'retry' }
  | { kind: 'park' }
  | { kind: 'refused'; status: number; body: unknown };

/** Sends a write once and classifies the answer. */
async function attempt(
  http: HttpClient,
  token: string,
  request: WriteRequest,
  figures: WriterFigures,
): Promise<Outcome> {
  if (request.attempts > 0) figures.resends++;
  request.attempts++;
  let answer: HttpAnswer;
  try {
    answer = await http.call('POST', request.path, {
      token,
      body: request.body,
      headers: { 'idempotency-key': request.key },
      timeoutMs: 20_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') figures.connectionRefused++;
    else figures.cut++;
    return { kind: 'retry' };
  }
  if (answer.status === 201 || answer.status === 200) {
    const body = answer.body as { id: string; ledgerPosition: string; eventIds: string[] };
    return {
      kind: 'ack',
      ack: {
        request,
        id: body.id,
        ledgerPosition: body.ledgerPosition,
        eventIds: body.eventIds,
        replayed: answer.headers['idempotent-replayed'] === 'true',
        attempts: request.attempts,
      },
    };
  }
  const code = (answer.body as { code?: string } | undefined)?.code;
  if (answer.status === 409 && code === 'idempotency-key-in-flight') {
    // The process that claimed the key died before it answered: the claim goes stale after a
    // while (README, Idempotency-Key); meanwhile this writer goes on with other work.
    figures.inFlight409++;
    return { kind: 'park' };
  }
  if (answer.status === 503) {
    figures.unavailable503++;
    return { kind: 'retry' };
  }
  if (answer.status >= 500) {
    figures.serverErrors.push({ status: answer.status, body: answer.body, path: request.path });
    return { kind: 'retry' };
  }
  return { kind: 'refused', status: answer.status, body: answer.body };
}

/**
 * One pipeline: writes until `stopping()` is true, then only finishes what it has started (the
 * parked keys) until `deadline()`. A parked key is tried again every `parkMs`.
 */
export async function runWriter(options: {
  store: string;
  writer: number;
  http: HttpClient;
  token: string;
  figures: WriterFigures;
  stopping: () => boolean;
  deadline: () => number;
  parkMs?: number;
}): Promise<void> {
  const { http, token, figures, writer } = options;
  const parkMs = options.parkMs ?? 3000;
  const parked: { request: WriteRequest; due: number }[] = [];
  let sequence = 0;
  let lastDataset: { name: string; version: string } | undefined;
  let current: WriteRequest | undefined;
  let retryDelay = 50;
  for (;;) {
    if (!current) {
      const dueIndex = parked.findIndex((item) => item.due <= Date.now());
      if (dueIndex >= 0) {
        current = parked.splice(dueIndex, 1)[0].request;
      } else if (!options.stopping()) {
        current = nextWrite(options.store, writer, sequence++, lastDataset);
        figures.attempted++;
      } else if (parked.length === 0) {
        return;
      } else if (Date.now() > options.deadline()) {
        figures.unresolved.push(...parked.map((item) => item.request));
        return;
      } else {
        await sleep(100);
        continue;
      }
    }
    if (options.stopping() && Date.now() > options.deadline()) {
      figures.unresolved.push(current, ...parked.map((item) => item.request));
      return;
    }
    const outcome = await attempt(http, token, current, figures);
    if (outcome.kind === 'ack') {
      figures.acknowledged.push(outcome.ack);
      if (current.kind === 'dataset-version') {
        lastDataset = {
          name: datasetName(writer),
          version: String(current.body.version),
        };
      }
      current = undefined;
      retryDelay = 50;
    } else if (outcome.kind === 'park') {
      parked.push({ request: current, due: Date.now() + parkMs });
      current = undefined;
    } else if (outcome.kind === 'refused') {
      figures.refused.push({ request: current, status: outcome.status, body: outcome.body });
      current = undefined;
    } else {
      // Connection refused or cut, or not ready: the same request again shortly.
      await sleep(retryDelay + Math.random() * retryDelay);
      retryDelay = Math.min(retryDelay * 2, 400);
    }
  }
}

async function expectWrite(
  http: HttpClient,
  token: string,
  path: string,
  body: unknown,
): Promise<{ id: string; ledgerPosition: string }> {
  const answer = await http.call('POST', path, { token, body });
  if (answer.status !== 201) {
    throw new Error(`setup: POST ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body as { id: string; ledgerPosition: string };
}

/** What every writer builds on: a base dataset version and a trained model deployed to staging. */
export async function setUpDeployment(
  http: HttpClient,
  pipeline: string,
  riskManager: string,
): Promise<void> {
  await expectWrite(
    http,
    pipeline,
    `/api/v1/datasets/${BASE_DATASET.name}/versions`,
    datasetVersionBody(BASE_DATASET.version, 1000),
  );
  const run = await expectWrite(http, pipeline, '/api/v1/training-runs', {
    model: MODEL,
    datasetVersions: [BASE_DATASET],
    code: { repository: 'git@example:chaos/credit.git', commit: 'a1b2c3d4' },
    algorithm: 'xgboost',
    hyperparameters: { depth: 6 },
  });
  await expectWrite(http, pipeline, `/api/v1/training-runs/${run.id}/completion`, {
    metrics: { auc: 0.81 },
    validationApproach: 'out-of-time holdout',
    artifact: { uri: 's3://chaos/model.onnx', digest: MODEL_ARTIFACT.digest, format: 'onnx' },
  });
  await expectWrite(http, pipeline, `/api/v1/models/${MODEL}/versions`, {
    version: '1.0.0',
    runId: run.id,
    riskTier: 'low',
    decisionClass: 'advisory',
    personalInformationKinds: [],
    decisions: 'chaos test',
    intendedUse: 'chaos test',
    limitations: [],
    owner: 'chaos-owner',
  });
  // A version whose artifact was never stored cannot be deployed (README, "Serving").
  const stored = await http.call('PUT', `/api/v1/models/${MODEL}/versions/1.0.0/artifact`, {
    token: pipeline,
    body: MODEL_ARTIFACT.bytes,
  });
  if (stored.status !== 200) {
    throw new Error(`setup: PUT artifact answered ${stored.status} ${JSON.stringify(stored.body)}`);
  }
  await expectWrite(http, riskManager, '/api/v1/deployments', {
    model: MODEL,
    version: '1.0.0',
    environment: ENVIRONMENT,
    strategy: 'full',
  });
}

export interface ReplayFigures {
  sent: number;
  /** Answered with `Idempotent-Replayed: true` and the acknowledged id and event ids. */
  sameAnswer: number;
  different: string[];
}

/**
 * Every acknowledged write sent once more with its key and body, after the kills: each must be
 * answered from the stored result (README, Idempotency-Key) and append nothing.
 */
export async function replayAcknowledged(
  http: HttpClient,
  tokens: string[],
  acks: Acknowledged[],
): Promise<ReplayFigures> {
  const figures: ReplayFigures = { sent: 0, sameAnswer: 0, different: [] };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < acks.length) {
        const ack = acks[next++];
        figures.sent++;
        const answer = await http
          .call('POST', ack.request.path, {
            token: tokens[ack.request.writer],
            body: ack.request.body,
            headers: { 'idempotency-key': ack.request.key },
            timeoutMs: 60_000,
          })
          .catch((error: Error) => ({ status: 0, headers: {}, body: error.message }) as HttpAnswer);
        const body = answer.body as { id?: string; eventIds?: string[] } | undefined;
        const same =
          (answer.status === 200 || answer.status === 201) &&
          answer.headers['idempotent-replayed'] === 'true' &&
          body?.id === ack.id &&
          JSON.stringify(body?.eventIds) === JSON.stringify(ack.eventIds);
        if (same) figures.sameAnswer++;
        else
          figures.different.push(
            `${ack.request.key}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)} (acknowledged ${ack.id} ${JSON.stringify(ack.eventIds)})`,
          );
      }
    }),
  );
  return figures;
}
