import { Injectable } from '@nestjs/common';
import { ArtifactStorage } from '../artifacts/artifact-storage';
import { deploymentDecider } from '../deployments/deployment.decider';
import type { InputColumns } from '../evaluation/service-evaluation';
import { parseDeploymentId } from '../ledger/commands/identifiers';
import { NotRecorded, StateConflict } from '../ledger/commands/rule-errors';
import { StreamWriter } from '../ledger/commands/stream-writer';
import type { ModelArtifactStored, ModelEvaluated } from '../model-registry/model.events';
import { streams } from '../ledger/stream-names';
import { canaryArm } from './canary';
import type { Binning, FeatureSpec, ServedModel, ServingArm } from './served-model';
import { ServingResolver } from './serving-api';
import { servingModelFacts } from './serving-facts';

/** What a version serves with, whatever the deployment and arm: never changes once built. */
type VersionServing = Omit<ServedModel, 'deploymentId' | 'environment' | 'arm'>;

const MAX_CACHED_VERSIONS = 256;
const NUMERIC = new Set(['float32', 'float64', 'int32', 'int64']);
const TEXT = new Set(['string', 'bool']);
/** Score edges when no evaluation gives a baseline: tenths. */
const FIXED_SCORE_EDGES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The deployment serves a version that cannot be served as stored (409). */
export class UnservableModel extends StateConflict {}

/**
 * Resolves a deployment from the ledger on every request (README, "Serving"): the deployment
 * stream's folded state picks the version and arm, so a deploy, promotion or rollback recorded
 * by any replica changes the next request here. What a version serves with (artifact, threshold,
 * features, baseline bins) is cached by model, version, environment, digest and evaluation.
 */
@Injectable()
export class LedgerServingResolver extends ServingResolver {
  private readonly versions = new Map<string, VersionServing>();
  private readonly reads = new Map<string, FreshReads<unknown>>();

  constructor(
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
  ) {
    super();
  }

  async resolve(deploymentId: string, requestId: string): Promise<ServedModel> {
    return this.resolveWith(deploymentId, (canary) => canaryArm(requestId, canary.percent));
  }

  /**
   * What the deployment serves on its stable arm (its canary while one runs alone): what
   * metadata and readiness describe.
   */
  describe(deploymentId: string): Promise<ServedModel> {
    return this.resolveWith(deploymentId, (_canary, stable) =>
      stable === null ? 'canary' : 'stable',
    );
  }

  private async resolveWith(
    deploymentId: string,
    pick: (canary: { version: string; percent: number }, stable: string | null) => ServingArm,
  ): Promise<ServedModel> {
    const slot = parseDeploymentId(deploymentId);
    if (!slot) throw new NotRecorded('deployment', deploymentId);
    const [state, facts] = await Promise.all([
      this.fresh(streams.deployment(deploymentId), () =>
        this.writer.state(deploymentDecider, streams.deployment(deploymentId)),
      ),
      this.fresh(streams.model(slot.model), () =>
        this.writer.state(servingModelFacts, streams.model(slot.model)),
      ),
    ]);
    if (state.status === 'none') throw new NotRecorded('deployment', deploymentId);
    if (state.status === 'retired') {
      throw new StateConflict(
        'deployment-retired',
        `${deploymentId} is retired: it serves nothing`,
      );
    }
    if (state.status === 'inactive') {
      throw new StateConflict(
        'nothing-deployed',
        `${deploymentId} was rolled back to nothing: it serves no version`,
      );
    }
    let arm: ServingArm = 'stable';
    let version = state.version;
    if (state.canary && pick(state.canary, state.version) === 'canary') {
      arm = 'canary';
      version = state.canary.version;
    }
    if (version === null) {
      // A first canary runs alone: the rest of the traffic has no version to be served by.
      throw new StateConflict(
        'no-stable-version',
        `${deploymentId} runs only a canary of ${state.canary?.version} at ${state.canary?.percent}%, and this request id falls outside it`,
        { errors: { requestId: ['routes to the stable arm, which serves no version yet'] } },
      );
    }
    const versionFacts = facts.get(version);
    const artifact = versionFacts?.artifact;
    if (!artifact) {
      throw new UnservableModel(
        'artifact-not-stored',
        `${slot.model}@${version} has no stored artifact to serve`,
      );
    }
    const evaluation = versionFacts.evaluations.get(slot.environment) ?? null;
    const served = await this.versionServing(slot.environment, artifact, evaluation);
    return { ...served, deploymentId, environment: slot.environment, arm };
  }

  /** A read of the stream that starts after this call, shared with the calls arriving with it. */
  private fresh<T>(stream: string, read: () => Promise<T>): Promise<T> {
    let reads = this.reads.get(stream) as FreshReads<T> | undefined;
    if (!reads) {
      if (this.reads.size >= MAX_CACHED_VERSIONS * 4) this.reads.clear();
      this.reads.set(stream, (reads = new FreshReads(read)));
    }
    return reads.next();
  }

  private async versionServing(
    environment: string,
    artifact: ModelArtifactStored['data'],
    evaluation: ModelEvaluated['data'] | null,
  ): Promise<VersionServing> {
    const key = [
      artifact.model,
      artifact.version,
      environment,
      artifact.digest,
      evaluation?.evaluationId ?? '',
    ].join('\u0000');
    const cached = this.versions.get(key);
    if (cached) return cached;
    const stored = await this.storage.store.stat(artifact.digest.slice('sha256:'.length));
    if (!stored) {
      throw new UnservableModel(
        'artifact-not-stored',
        `${artifact.model}@${artifact.version}'s artifact is not in this replica's content store (ARTIFACT_DIR)`,
      );
    }
    const served = servingOf(artifact, evaluation, stored.path);
    if (this.versions.size >= MAX_CACHED_VERSIONS) {
      this.versions.delete(this.versions.keys().next().value as string);
    }
    this.versions.set(key, served);
    return served;
  }
}

/**
 * Reads of one stream's state, each started after every caller it answers arrived, so what a
 * caller sees includes every write committed before it asked; callers arriving while a read runs
 * share the next one. Under load a few reads answer many requests (README, "Serving").
 */
export class FreshReads<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  next(): Promise<T> {
    if (!this.running) return this.start();
    // The running read may have begun before this caller arrived: wait for the one after it.
    this.queued ??= this.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<T> {
    const reading = this.read();
    this.running = reading;
    const done = () => {
      if (this.running === reading) this.running = undefined;
    };
    reading.then(done, done);
    return reading;
  }
}

/**
 * Settings from the version's latest passing evaluation by Attest in this environment, or the
 * defaults: threshold 0.5, each input fed by the feature of its name, the artifact's score
 * output, positive label "1", fixed score bins (README, "Serving").
 */
function servingOf(
  artifact: ModelArtifactStored['data'],
  evaluation: ModelEvaluated['data'] | null,
  artifactPath: string,
): VersionServing {
  const settings = evaluation?.service?.settings;
  const columns: Record<string, InputColumns> = {};
  for (const input of artifact.inputs)
    columns[input.name] = settings?.columns[input.name] ?? input.name;
  const features = featuresOf(artifact, columns);
  const positive = settings?.positiveLabel ?? '1';
  return {
    model: artifact.model,
    version: artifact.version,
    artifactDigest: artifact.digest,
    scoring: {
      artifactPath,
      inputs: artifact.inputs,
      scoreOutput: settings?.scoreOutput ?? artifact.scoreOutput,
      columns,
    },
    threshold: settings?.threshold ?? 0.5,
    labels: { positive, negative: negativeLabel(positive) },
    evaluationId: evaluation?.evaluationId ?? null,
    features,
    binning: binningOf(evaluation, features),
  };
}

function featuresOf(
  artifact: ModelArtifactStored['data'],
  columns: Record<string, InputColumns>,
): FeatureSpec[] {
  const features = new Map<string, FeatureSpec>();
  for (const input of artifact.inputs) {
    const type = input.elementType ?? '';
    if (input.kind !== 'tensor' || !(NUMERIC.has(type) || TEXT.has(type))) {
      throw new UnservableModel(
        'unservable-model',
        `${artifact.model}@${artifact.version}'s input ${input.name} is a ${input.kind} of ${type || 'unknown type'}: serving feeds float32, float64, int32, int64, string or bool tensors`,
      );
    }
    const given = columns[input.name];
    const names = typeof given === 'string' ? [given] : given;
    const width = input.shape?.length === 2 ? input.shape[1] : 1;
    if (typeof width === 'number' && width !== names.length) {
      // An [N, k] input fed by default takes one feature of its name: its columns need names.
      throw new UnservableModel(
        'columns-unknown',
        `${artifact.model}@${artifact.version}'s input ${input.name} takes ${width} columns, and no passing evaluation by Attest in this environment names them (README, "Evaluation runs")`,
      );
    }
    for (const name of names) {
      const kind = NUMERIC.has(type) ? 'numeric' : 'text';
      const integer = type === 'int32' || type === 'int64';
      const known = features.get(name);
      if (known) known.integer ||= integer;
      else features.set(name, { name, kind, integer });
    }
  }
  return [...features.values()];
}

/** "1" → "0", "true" → "false", "yes" → "no", else `not-<positive>`. */
export function negativeLabel(positive: string): string {
  const pairs = new Map([
    ['1', '0'],
    ['true', 'false'],
    ['yes', 'no'],
  ]);
  return pairs.get(positive) ?? `not-${positive}`;
}

/** Inner edges from deciles: quantiles 1..9, ascending and distinct. */
export function innerEdges(quantiles: readonly number[] | null): number[] {
  if (!quantiles || quantiles.length < 11) return [];
  const edges: number[] = [];
  for (const q of quantiles.slice(1, 10)) {
    if (Number.isFinite(q) && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
  }
  return edges;
}

function binningOf(evaluation: ModelEvaluated['data'] | null, features: FeatureSpec[]): Binning {
  const distribution = evaluation?.service?.measures.distribution;
  if (!evaluation || !distribution) {
    return {
      source: 'fixed',
      sourceId: null,
      score: FIXED_SCORE_EDGES,
      numeric: {},
      categorical: {},
    };
  }
  const numeric: Record<string, number[]> = {};
  const categorical: Record<string, string[]> = {};
  for (const feature of features) {
    const deciles = distribution.numeric[feature.name];
    const frequencies = distribution.categorical[feature.name];
    if (feature.kind === 'numeric' && deciles)
      numeric[feature.name] = innerEdges(deciles.quantiles);
    if (feature.kind === 'text' && frequencies) {
      categorical[feature.name] = frequencies.values
        .map((entry) => entry.value)
        .filter((value) => value !== '(other)');
    }
  }
  return {
    source: 'evaluation',
    sourceId: evaluation.evaluationId,
    score: innerEdges(distribution.score.quantiles),
    numeric,
    categorical,
  };
}
