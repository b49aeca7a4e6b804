import { createHash } from 'node:crypto';
import { canonicalJson } from '../../ledger/canonical-json';
import { NotRecorded, RuleViolated, StateConflict } from '../../ledger/commands/rule-errors';
import { PRODUCTION } from '../../ledger/commands/identifiers';
import type { DatasetState } from '../../datasets/dataset.decider';
import type { DatasetVersionFact } from '../../datasets/dataset.events';
import type { ModelState } from '../../model-registry/model.decider';
import type { ModelArtifactStored, RiskTier } from '../../model-registry/model.events';
import type { EvaluationPolicy, EvaluationRules } from '../evaluation-policy';
import { rulesFor } from '../evaluation-policy';
import type { EvaluationJob, InputColumns, ScoringModel } from '../service-evaluation';
import type { RunInputs, RunSettings } from './evaluation-run.store';

/**
 * Category values seen in fewer rows than this are pooled as `(other)` in the baseline's
 * frequencies: a rare value can point at a few people, and a baseline is an aggregate (no row
 * leaves the worker; README, "Evaluation runs").
 */
export const MIN_CATEGORY_COUNT = 10;

/** What POST /models/{name}/versions/{version}/evaluation-runs asks, defaults not yet applied. */
export type EvaluationRequest = {
  model: string;
  version: string;
  dataset: { name: string; version: string };
  labelColumn: string;
  positiveLabel: string;
  threshold?: number;
  protectedAttributes?: string[];
  environment?: string;
  champion?: string | null;
  columns?: Record<string, unknown>;
  pipelineScoreColumn?: string;
  scoreOutput?: string;
};

/** Everything the stores hold that a run needs, read by the caller. */
export type EvaluationFacts = {
  model: ModelState;
  dataset: DatasetState;
  /** The version serving all traffic in the environment now; null when none. */
  serving: string | null;
  policy: { tiers: EvaluationPolicy; version: number };
  /** The stored file of a content digest (`sha256:<hex>`); null when the store lacks it. */
  storedPath: (digest: string) => Promise<string | null>;
};

/** A run ready to start: its settings, the digests it rests on and the worker's job. */
export type EvaluationPlan = {
  settings: RunSettings;
  inputs: RunInputs;
  /** SHA-256 (hex) of the inputs and settings: one evaluation, one digest. */
  digest: string;
  job: EvaluationJob;
  rules: EvaluationRules;
  riskTier: RiskTier;
  datasetVersion: DatasetVersionFact;
  artifact: ModelArtifactStored['data'];
};

const refused = (code: string, field: string, message: string) =>
  new RuleViolated(code, message, { errors: { [field]: [message] } });

function notRecorded(kind: string, id: string, field: string): NotRecorded {
  const error = new NotRecorded(kind, id);
  Object.assign(error.details, { errors: { [field]: [`${id} is not registered`] } });
  return error;
}

/**
 * Checks a request against what is recorded and stored, and resolves every default (README,
 * "Evaluation runs"). Each refusal is a 4xx naming the request field at fault; nothing is kept.
 */
export async function planEvaluation(
  request: EvaluationRequest,
  facts: EvaluationFacts,
): Promise<EvaluationPlan> {
  const { model, version } = request;
  const candidate = facts.model.versions.get(version);
  if (!candidate) throw notRecorded('model version', `${model}@${version}`, 'version');
  if (candidate.retired) {
    throw new StateConflict('model-version-retired', `${model}@${version} is retired`, {
      errors: { version: [`${model}@${version} is retired: evaluate a version in use`] },
    });
  }
  const artifact = candidate.artifact;
  if (!artifact) {
    throw refused(
      'artifact-not-stored',
      'version',
      `${model}@${version} has no stored artifact: PUT its ONNX file first`,
    );
  }
  const artifactPath = await facts.storedPath(artifact.digest);
  if (!artifactPath) {
    throw refused(
      'artifact-not-stored',
      'version',
      `${model}@${version}'s artifact is not in the content store`,
    );
  }

  const { name: datasetName, version: datasetVersion } = request.dataset;
  const dataset = facts.dataset.versions.get(datasetVersion);
  if (!dataset) throw notRecorded('dataset version', `${datasetName}@${datasetVersion}`, 'dataset');
  const dataPath =
    dataset.data && !dataset.dataPurged ? await facts.storedPath(dataset.contentHash) : null;
  if (!dataset.data || !dataPath) {
    throw refused(
      'dataset-data-not-stored',
      'dataset',
      dataset.dataPurged
        ? `${datasetName}@${datasetVersion}'s data was deleted when its retention passed`
        : `${datasetName}@${datasetVersion} has no stored data: PUT its CSV file first`,
    );
  }
  const schema = dataset.registration.schema;
  const columns = new Set(schema.map((field) => field.name));

  const errors: Record<string, string[]> = {};
  const needColumn = (field: string, column: string) => {
    if (!columns.has(column)) errors[field] = [`${column} is not a column of the dataset's schema`];
  };
  needColumn('labelColumn', request.labelColumn);
  const protectedAttributes =
    request.protectedAttributes ??
    schema.filter((field) => field.protectedAttribute).map((field) => field.name);
  protectedAttributes.forEach((column, index) => {
    const field = `protectedAttributes[${index}]`;
    if (protectedAttributes.indexOf(column) !== index)
      errors[field] = [`${column} is listed twice`];
    else needColumn(field, column);
  });
  if (request.pipelineScoreColumn !== undefined) {
    needColumn('pipelineScoreColumn', request.pipelineScoreColumn);
  }

  const mapping = checkedColumns(request.columns ?? {}, artifact, columns, errors);
  const candidateColumns = resolveInputs(artifact, mapping, columns, 'columns', errors);

  const scoreOutput = request.scoreOutput ?? artifact.scoreOutput;
  const output = artifact.outputs.find((o) => o.name === scoreOutput);
  if (!output || output.kind !== 'tensor') {
    errors.scoreOutput = [
      `${scoreOutput} is not a tensor output of the model (${artifact.outputs
        .filter((o) => o.kind === 'tensor')
        .map((o) => o.name)
        .join(', ')})`,
    ];
  }
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'invalid-evaluation-run',
      `cannot evaluate: ${Object.keys(errors).join(', ')}`,
      { errors },
    );
  }

  const environment = request.environment ?? PRODUCTION;
  let champion: { version: string; artifact: ModelArtifactStored['data']; path: string } | null =
    null;
  const championVersion =
    request.champion === undefined
      ? facts.serving === version
        ? null
        : facts.serving
      : request.champion;
  if (championVersion !== null) {
    const how = request.champion === undefined ? `the version serving ${environment}, ` : '';
    const recorded = facts.model.versions.get(championVersion);
    if (!recorded) {
      throw refused(
        'unknown-champion',
        'champion',
        `${how}${model}@${championVersion} is not a registered version`,
      );
    }
    const stored = recorded.artifact ? await facts.storedPath(recorded.artifact.digest) : null;
    if (!recorded.artifact || !stored) {
      throw refused(
        'champion-artifact-not-stored',
        'champion',
        `${how}${model}@${championVersion} has no stored artifact: store it, or send champion: null`,
      );
    }
    champion = { version: championVersion, artifact: recorded.artifact, path: stored };
  }
  const championErrors: Record<string, string[]> = {};
  const championColumns = champion
    ? resolveInputs(champion.artifact, mapping, columns, 'champion', championErrors)
    : null;
  if (Object.keys(championErrors).length > 0) {
    throw new RuleViolated(
      'invalid-evaluation-run',
      `cannot score the champion ${model}@${champion?.version}`,
      { errors: { champion: Object.values(championErrors).flat() } },
    );
  }

  const settings: RunSettings = {
    environment,
    dataset: { name: datasetName, version: datasetVersion },
    labelColumn: request.labelColumn,
    positiveLabel: request.positiveLabel,
    threshold: request.threshold ?? 0.5,
    protectedAttributes,
    columns: candidateColumns,
    pipelineScoreColumn: request.pipelineScoreColumn ?? null,
    champion: champion?.version ?? null,
    scoreOutput,
  };
  const inputs: RunInputs = {
    artifactDigest: artifact.digest,
    datasetContentHash: dataset.contentHash,
    championArtifactDigest: champion?.artifact.digest ?? null,
    policyVersion: facts.policy.version,
  };
  const riskTier = candidate.registration.riskTier;
  const rules = rulesFor(facts.policy.tiers, riskTier, environment);
  const scoring = (
    stored: ModelArtifactStored['data'],
    path: string,
    resolved: Record<string, InputColumns>,
    score: string,
  ): ScoringModel => ({
    artifactPath: path,
    inputs: stored.inputs,
    scoreOutput: score,
    columns: resolved,
  });
  return {
    settings,
    inputs,
    digest: createHash('sha256')
      .update(canonicalJson({ model, version, inputs, settings }))
      .digest('hex'),
    job: {
      candidate: scoring(artifact, artifactPath, candidateColumns, scoreOutput),
      champion:
        champion && championColumns
          ? scoring(
              champion.artifact,
              champion.path,
              championColumns,
              champion.artifact.scoreOutput,
            )
          : null,
      dataset: {
        path: dataPath,
        rows: dataset.data.rows,
      },
      labelColumn: settings.labelColumn,
      positiveLabel: settings.positiveLabel,
      threshold: settings.threshold,
      protectedAttributes,
      pipelineScoreColumn: settings.pipelineScoreColumn,
      minGroupSize: rules.minGroupSize,
      minCategoryCount: MIN_CATEGORY_COUNT,
    },
    rules,
    riskTier,
    datasetVersion: {
      name: datasetName,
      version: datasetVersion,
      contentHash: dataset.contentHash,
    },
    artifact,
  };
}

/** The caller's `columns`: each key a model input, each value a column (or columns) of the schema. */
function checkedColumns(
  given: Record<string, unknown>,
  artifact: ModelArtifactStored['data'],
  columns: ReadonlySet<string>,
  errors: Record<string, string[]>,
): Map<string, InputColumns> {
  const mapping = new Map<string, InputColumns>();
  const inputs = new Set(artifact.inputs.map((input) => input.name));
  for (const [input, value] of Object.entries(given)) {
    const field = `columns.${input}`;
    if (!inputs.has(input)) {
      errors[field] = [`${input} is not an input of the model (${[...inputs].join(', ')})`];
      continue;
    }
    const list = typeof value === 'string' ? [value] : value;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > 10_000 ||
      !list.every((c) => typeof c === 'string')
    ) {
      errors[field] = ['must be a column name or a non-empty list of column names'];
      continue;
    }
    const missing = (list as string[]).filter((column) => !columns.has(column));
    if (missing.length > 0) {
      errors[field] = missing.map((column) => `${column} is not a column of the dataset's schema`);
      continue;
    }
    mapping.set(input, typeof value === 'string' ? value : [...(list as string[])]);
  }
  return mapping;
}

/** Every input of a model with its column(s): as mapped, else the column of the same name. */
function resolveInputs(
  artifact: ModelArtifactStored['data'],
  mapping: ReadonlyMap<string, InputColumns>,
  columns: ReadonlySet<string>,
  prefix: string,
  errors: Record<string, string[]>,
): Record<string, InputColumns> {
  const resolved: Record<string, InputColumns> = {};
  for (const input of artifact.inputs) {
    const mapped = mapping.get(input.name);
    if (mapped !== undefined) {
      resolved[input.name] = mapped;
    } else if (columns.has(input.name)) {
      resolved[input.name] = input.name;
    } else if (!errors[`${prefix}.${input.name}`]) {
      errors[`${prefix}.${input.name}`] = [
        `the model input ${input.name} has no column: map it in columns (no column is named ${input.name})`,
      ];
    }
  }
  return resolved;
}
