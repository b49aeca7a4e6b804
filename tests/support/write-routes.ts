import { Client } from 'pg';
import type { Role } from '../../src/auth/roles';
import { DATABASE_HANDLE, DatabaseHandle } from '../../src/ledger/database/database-handle';
import { SAMPLE_ARTIFACT_DIGEST, seedSampleHistory } from './sample-history';
import { recordPassingServiceEvaluation } from './service-evaluation-fixture';
import type { TestApp } from './test-app';

/** Every role that may write (a regulator never writes): one caller reaches every write route. */
export const WRITER_ROLES: Role[] = [
  'pipeline',
  'data-scientist',
  'risk-manager',
  'compliance-officer',
  'admin',
];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One write route of the OpenAPI document, with what a valid request to it looks like. */
export interface WriteRoute {
  method: 'post' | 'put' | 'patch';
  /** The OpenAPI path, e.g. `/api/v1/datasets/{name}/versions`. */
  template: string;
  /** Values for its path parameters over the seeded history. */
  params: Record<string, string>;
  /** A body the route accepts over the seeded history. */
  body: Json;
  /** The request body's schema in the document (resolved), when the route takes one. */
  schema?: Schema;
}

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  $ref?: string;
  allOf?: Schema[];
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
  >;
  components?: { schemas?: Record<string, Schema> };
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const window = (hour: number) => ({
  from: `2026-11-02T${String(hour).padStart(2, '0')}:00:00.000Z`,
  to: `2026-11-02T${String(hour + 1).padStart(2, '0')}:00:00.000Z`,
});

/**
 * The sample history plus what each write route needs to be worth calling: runs to complete and
 * to fail, a model version and an approval of its own for the retiring and withdrawing routes.
 */
export async function seedWriteTargets(test: TestApp) {
  const ids = await seedSampleHistory(test);
  const bearer = `Bearer ${await test.token('fuzz-writer', WRITER_ROLES)}`;
  const post = async (path: string, body: object): Promise<{ id: string }> => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', bearer)
      .send(body);
    if (response.status !== 201) {
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as { id: string };
  };
  const startRun = () =>
    post('/training-runs', {
      model: 'scorer',
      datasetVersions: [{ name: 'loans', version: 'v1' }],
      code: { repository: 'git@x:y.git', commit: 'abcdef1' },
      algorithm: 'glm',
      hyperparameters: {},
    });
  const runToComplete = await startRun();
  const runToFail = await startRun();
  await post('/models/scorer/versions', {
    version: '0.9.0',
    runId: ids.runId,
    riskTier: 'low',
    decisionClass: 'advisory',
    personalInformationKinds: ['financial'],
    decisions: 'none',
    intendedUse: 'a version to retire',
    limitations: [],
    owner: 'owner',
  });
  const approvalToWithdraw = await post('/models/scorer/versions/1.0.0/approval-requests', {
    environment: 'test',
  });
  await post('/datasets/retiring/versions', {
    version: 'v1',
    contentHash: digest('9'),
    rows: 1,
    schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
    location: 's3://retiring',
    region: 'AU',
  });
  // A passing evaluation by Attest in staging names the columns of the served version's [N, 4]
  // input, so scorer.staging answers predictions (README, "Serving").
  await recordPassingServiceEvaluation(test.eventLog, {
    model: 'scorer',
    version: '1.0.0',
    environment: 'staging',
    artifactDigest: SAMPLE_ARTIFACT_DIGEST,
  });
  const batch = await post('/deployments/scorer.staging/prediction-batches', {
    version: '1.0.0',
    count: 4,
    window: window(3),
    inputDigest: digest('7'),
    outputDistribution: { approve: 4 },
    featureSummaries: [],
    latencyMs: { p50: 1, p95: 2, p99: 3 },
    decisions: { automated: 4, referred: 0 },
  });
  return {
    ...ids,
    bearer,
    runToComplete: runToComplete.id,
    runToFail: runToFail.id,
    approvalToWithdraw: approvalToWithdraw.id,
    batchId: batch.id,
  };
}

type Targets = Awaited<ReturnType<typeof seedWriteTargets>>;

/** A valid request to each write route over `seedWriteTargets`, keyed `METHOD template`. */
export function validRequests(
  t: Targets,
): Record<string, { params: Record<string, string>; body: Json }> {
  const source = { runUrl: 'https://ci.example/1', gitCommit: 'abcdef1', tool: 'fuzz' };
  return {
    'POST /api/v1/datasets/{name}/versions': {
      params: { name: 'loans' },
      body: {
        version: 'v2',
        contentHash: digest('1'),
        rows: 100,
        schema: [
          {
            name: 'income',
            type: 'number',
            personal: true,
            sensitive: false,
            category: 'financial',
          },
          {
            name: 'term',
            type: 'number',
            personal: false,
            sensitive: false,
            protectedAttribute: false,
          },
        ],
        location: 's3://lake/v2',
        region: 'AU',
        lawfulBasis: 'consent',
        collectionNotice: 'notice',
        purpose: 'credit',
        retention: 'P7Y',
        piaId: 'PIA-1',
        parents: [{ name: 'loans', version: 'v1' }],
        source,
      },
    },
    'POST /api/v1/datasets/{name}/versions/{version}/validations': {
      params: { name: 'loans', version: 'v1' },
      body: {
        suite: 'suite',
        passed: true,
        checks: [{ name: 'no-nulls', passed: true, detail: '0 nulls' }],
        source,
      },
    },
    'POST /api/v1/datasets/{name}/versions/{version}/profile': {
      params: { name: 'loans', version: 'v1' },
      body: {
        features: [
          {
            name: 'income',
            count: 10,
            missing: 0,
            mean: 5,
            stddev: 1,
            min: 0,
            max: 10,
            histogram: { edges: [0, 5, 10], counts: [4, 6] },
            categories: { low: 4, high: 6 },
          },
        ],
        source,
      },
    },
    // Takes the CSV file as text/csv (tests/e2e/dataset-data.e2e-spec.ts); the JSON bodies sent
    // here are refused with 400 naming `body`.
    'PUT /api/v1/datasets/{name}/versions/{version}/data': {
      params: { name: 'loans', version: 'v1' },
      body: {},
    },
    // Takes the CSV as text/csv (tests/e2e/batch-scoring.e2e-spec.ts); JSON bodies are refused
    // with 400 naming `body`.
    'POST /api/v1/deployments/{id}/batch-scoring': {
      params: { id: 'scorer.staging' },
      body: {},
    },
    'POST /api/v1/datasets/{name}/versions/{version}/retirement': {
      params: { name: 'retiring', version: 'v1' },
      body: { reason: 'superseded', source },
    },
    'POST /api/v1/training-runs': {
      params: {},
      body: {
        model: 'scorer',
        datasetVersions: [{ name: 'loans', version: 'v1' }],
        code: { repository: 'git@x:y.git', commit: 'abcdef1' },
        algorithm: 'glm',
        hyperparameters: { depth: 3, eta: 0.1, nested: { a: [1, 2] } },
        environment: { python: '3.12' },
        source,
      },
    },
    'POST /api/v1/training-runs/{id}/completion': {
      params: { id: t.runToComplete },
      body: {
        metrics: { auc: 0.8 },
        validationApproach: 'holdout',
        artifact: { uri: 's3://m2', digest: digest('2'), format: 'onnx' },
        source,
      },
    },
    'POST /api/v1/training-runs/{id}/failure': {
      params: { id: t.runToFail },
      body: { reason: 'out of memory', source },
    },
    'POST /api/v1/models/{name}/versions': {
      params: { name: 'scorer' },
      body: {
        version: '2.0.0',
        runId: t.runId,
        artifactDigest: SAMPLE_ARTIFACT_DIGEST,
        riskTier: 'medium',
        decisionClass: 'substantially-assists',
        personalInformationKinds: ['financial'],
        decisions: 'limits',
        intendedUse: 'test',
        limitations: ['none known'],
        owner: 'owner',
        vendor: 'in-house',
        source,
      },
    },
    'PATCH /api/v1/models/{name}/versions/{version}/card': {
      params: { name: 'scorer', version: '1.0.0' },
      body: {
        intendedUse: 'scoring',
        limitations: ['thin files'],
        owner: 'olive',
        decisions: 'limits',
        personalInformationKinds: ['financial'],
        explainability: 'shap',
        humanOversight: 'review',
        consumerDisclosure: 'notice',
        monitoringCadence: 'monthly',
        source,
      },
    },
    'POST /api/v1/models/{name}/versions/{version}/evaluations': {
      params: { name: 'scorer', version: '1.0.0' },
      body: {
        datasetVersion: { name: 'loans', version: 'v1' },
        metrics: { auc: 0.8 },
        baseline: { version: '1.0.0', metrics: { auc: 0.7 } },
        fairness: [
          {
            attribute: 'age',
            metric: 'parity',
            value: 0.9,
            threshold: 0.8,
            groups: { young: 0.3, old: 0.33 },
            passed: true,
          },
        ],
        verdict: 'pass',
        source,
      },
    },
    // Starts a run in the background (tests/e2e/evaluation-runs.e2e-spec.ts), whose event would
    // land outside the request that asked for it: the dataset version named has no stored data,
    // so every request here is answered (a 4xx) before a run exists.
    'POST /api/v1/models/{name}/versions/{version}/evaluation-runs': {
      params: { name: 'scorer', version: '1.0.0' },
      body: {
        dataset: { name: 'loans', version: 'v1' },
        labelColumn: 'income',
        positiveLabel: '1',
        threshold: 0.5,
        protectedAttributes: ['income'],
        environment: 'staging',
        champion: '1.0.0',
        columns: { features: ['income', 'income', 'income', 'income'] },
        pipelineScoreColumn: 'income',
        scoreOutput: 'probability',
      },
    },
    // Takes the ONNX file as application/octet-stream (tests/e2e/artifacts.e2e-spec.ts); the JSON
    // bodies sent here are refused with 400 naming `body`.
    'PUT /api/v1/models/{name}/versions/{version}/artifact': {
      params: { name: 'scorer', version: '1.0.0' },
      body: {},
    },
    'POST /api/v1/models/{name}/versions/{version}/retirement': {
      params: { name: 'scorer', version: '0.9.0' },
      body: { reason: 'superseded', source },
    },
    'POST /api/v1/models/{name}/versions/{version}/approval-requests': {
      params: { name: 'scorer', version: '1.0.0' },
      body: { environment: 'staging', comment: 'please', source },
    },
    'PUT /api/v1/policies/approval': {
      params: {},
      body: {
        tiers: {
          low: { stages: ['risk-manager'], requirePassingEvaluation: false },
          medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
          high: {
            stages: ['risk-manager', 'compliance-officer'],
            requirePassingEvaluation: true,
            requireGrantComment: true,
            environments: { staging: { stages: ['risk-manager'] } },
          },
        },
        source,
      },
    },
    'PUT /api/v1/policies/evaluation': {
      params: {},
      body: {
        tiers: {
          low: { minAuc: 0.6, minGroupSize: 30 },
          medium: { minAuc: 0.65, maxAucDrop: 0.02, minGroupSize: 50 },
          high: {
            minAuc: 0.7,
            maxAucDrop: 0.01,
            maxCalibrationError: 0.05,
            minDemographicParityRatio: 0.8,
            minGroupSize: 100,
            environments: { staging: { minAuc: 0.65, minDemographicParityRatio: null } },
          },
        },
        source,
      },
    },
    'PUT /api/v1/policies/monitoring': {
      params: {},
      body: {
        default: { psi: { warn: 0.1, alert: 0.25, minCount: 200 }, window: { batches: 3 } },
        tiers: { high: { onBreach: { rollback: true } } },
        models: { 'credit-risk': { retrainEveryDays: 30 } },
        source,
      },
    },
    'POST /api/v1/approvals/{id}/decisions': {
      params: { id: t.approvalId },
      body: { decision: 'grant', stage: 0, comment: 'fine', source },
    },
    'POST /api/v1/approvals/{id}/withdrawal': {
      params: { id: t.approvalToWithdraw },
      body: { reason: 'not needed', source },
    },
    'POST /api/v1/deployments': {
      params: {},
      body: {
        model: 'scorer',
        version: '1.0.0',
        environment: 'dev',
        strategy: 'canary',
        canaryPercent: 10,
        source,
      },
    },
    'POST /api/v1/deployments/{id}/promotion': {
      params: { id: 'scorer.staging' },
      body: { source },
    },
    'POST /api/v1/deployments/{id}/rollback': {
      params: { id: 'scorer.staging' },
      body: { reason: 'regression', automatic: false, source },
    },
    'POST /api/v1/deployments/{id}/retirement': {
      params: { id: 'scorer.staging' },
      body: { reason: 'done', source },
    },
    'POST /api/v1/deployments/{id}/prediction-batches': {
      params: { id: 'scorer.staging' },
      body: {
        version: '1.0.0',
        count: 10,
        window: window(5),
        inputDigest: digest('3'),
        outputDistribution: { approve: 8, refer: 2 },
        featureSummaries: [{ feature: 'income', mean: 5, stddev: 1, missing: 0 }],
        latencyMs: { p50: 1, p95: 2, p99: 3 },
        decisions: { automated: 8, referred: 2 },
        source,
      },
    },
    'POST /api/v1/deployments/{id}/ground-truth': {
      params: { id: 'scorer.staging' },
      body: {
        version: '1.0.0',
        batchIds: [t.batchId],
        window: window(3),
        count: 4,
        labelsDigest: digest('4'),
        metrics: { auc: 0.75 },
        source,
      },
    },
    'POST /api/v1/deployments/{id}/predict': {
      params: { id: 'scorer.staging' },
      body: {
        requestId: 'fuzz-request-1',
        subjectRef: 'customer-1',
        rows: [{ income: 52, debt_ratio: 0.3, age: 41, credit_history_months: 60 }],
      },
    },
    'POST /v2/models/{model}/infer': {
      params: { model: 'scorer.staging' },
      body: {
        id: 'fuzz-request-2',
        inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [52, 0.3, 41, 60] }],
      },
    },
    'POST /api/v1/deployments/{id}/outcomes': {
      params: { id: 'scorer.staging' },
      body: { outcomes: [{ receiptId: t.receiptId, label: 'repaid' }] },
    },
    'POST /api/v1/monitoring/drift': {
      params: {},
      body: {
        deploymentId: 'scorer.staging',
        version: '1.0.0',
        window: window(6),
        value: 0.1,
        threshold: 0.25,
        feature: 'income',
        metric: 'psi',
        severity: 'low',
        source,
      },
    },
    'POST /api/v1/monitoring/performance': {
      params: {},
      body: {
        deploymentId: 'scorer.staging',
        version: '1.0.0',
        window: window(6),
        value: 0.8,
        threshold: 0.7,
        metric: 'auc',
        higherIsBetter: true,
        source,
      },
    },
    'POST /api/v1/alerts': {
      params: {},
      body: {
        deploymentId: 'scorer.staging',
        severity: 'low',
        kind: 'operational',
        summary: 'latency',
        source,
      },
    },
    'POST /api/v1/alerts/{id}/resolution': {
      params: { id: t.alertId },
      body: { resolution: 'fixed', source },
    },
    'POST /api/v1/privacy/deletion-requests': {
      params: {},
      body: { subjectId: 'customer-fuzz', receivedOn: '2026-11-01', channel: 'email', source },
    },
    'POST /api/v1/privacy/deletion-requests/{id}/assessment': {
      params: { id: t.deletionRequestId },
      body: {
        affected: {
          datasetVersions: [{ name: 'loans', version: 'v1' }],
          models: [{ name: 'scorer', version: '1.0.0' }],
          deployments: ['scorer.staging'],
        },
        notes: 'found',
        source,
      },
    },
    'POST /api/v1/privacy/deletion-requests/{id}/fulfilment': {
      params: { id: t.deletionRequestId },
      body: {
        // Each item the assessment above names, kept with its reason.
        replacementDatasetVersions: [],
        retrainedModels: [],
        exceptions: [
          {
            covers: { kind: 'dataset-version', id: 'loans@v1' },
            item: 'ledger',
            reason: 'retention',
          },
          { covers: { kind: 'model', id: 'scorer@1.0.0' }, reason: 'legal hold' },
          { covers: { kind: 'deployment', id: 'scorer.staging' }, reason: 'legal hold' },
        ],
        source,
      },
    },
    'POST /api/v1/datasets/retention-sweeps': { params: {}, body: {} },
    'POST /api/v1/models/{name}/retraining-triggers': {
      params: { name: 'scorer' },
      body: { note: 'new bureau data' },
    },
    'POST /api/v1/webhooks': {
      params: {},
      body: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['RetrainingTriggered'] },
    },
    'POST /api/v1/ledger/checkpoints': { params: {}, body: {} },
    // The test-only route of tests/support/probe.module.ts.
    'POST /api/v1/test-probe': { params: {}, body: { name: 'probe', count: 1 } },
  };
}

/** Routes that end what others need (retire, fail, withdraw, fulfil, roll back): called last. */
const ENDINGS = /retirement|failure|withdrawal|fulfilment|rollback|promotion/;

/**
 * Every POST, PUT and PATCH route of the served OpenAPI document with a valid request to it;
 * a route the document adds without a valid request here is reported, not skipped.
 */
export async function writeRoutes(
  test: TestApp,
  targets: Targets,
): Promise<{ routes: WriteRoute[]; unknown: string[] }> {
  const document = (await test.http().get('/api/docs-json').expect(200)).body as OpenApiDocument;
  const valid = validRequests(targets);
  const routes: WriteRoute[] = [];
  const unknown: string[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const method of ['post', 'put', 'patch'] as const) {
      const operation = operations[method];
      if (!operation) continue;
      const known = valid[`${method.toUpperCase()} ${template}`];
      if (!known) {
        unknown.push(`${method.toUpperCase()} ${template}`);
        continue;
      }
      const raw = operation.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method,
        template,
        ...known,
        schema: raw ? resolve(raw, document) : undefined,
      });
    }
  }
  routes.sort((a, b) => Number(ENDINGS.test(a.template)) - Number(ENDINGS.test(b.template)));
  return { routes, unknown };
}

/** The schema with every `$ref` and `allOf` replaced by what it names. */
function resolve(schema: Schema, document: OpenApiDocument, depth = 0): Schema {
  if (depth > 10) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document.components?.schemas?.[name] ?? {}, document, depth + 1);
  }
  if (schema.allOf) {
    return schema.allOf
      .map((part) => resolve(part, document, depth + 1))
      .reduce<Schema>(
        (merged, part) => ({
          ...merged,
          ...part,
          properties: { ...merged.properties, ...part.properties },
          required: [...(merged.required ?? []), ...(part.required ?? [])],
        }),
        {},
      );
  }
  const resolved: Schema = { ...schema };
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        key,
        resolve(value, document, depth + 1),
      ]),
    );
  }
  if (schema.items) resolved.items = resolve(schema.items, document, depth + 1);
  if (typeof schema.additionalProperties === 'object') {
    resolved.additionalProperties = resolve(schema.additionalProperties, document, depth + 1);
  }
  return resolved;
}

/** The concrete URL of a route, each path parameter encoded (or given raw, already encoded). */
export function urlOf(route: WriteRoute, params = route.params, raw = false): string {
  return route.template.replace(/\{(\w+)\}/g, (_, name: string) =>
    raw ? params[name] : encodeURIComponent(params[name]),
  );
}

/** Governance events in the ledger (access-log streams left out), read with one connection. */
export async function eventCounter(test: TestApp) {
  const sql = new Client({ connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url });
  await sql.connect();
  return {
    count: async () => {
      const { rows } = await sql.query<{ n: string }>(
        "SELECT count(*) AS n FROM ledger_events WHERE stream NOT LIKE 'access-log-%'",
      );
      return Number(rows[0].n);
    },
    /** Open projection faults, when the `projection_faults` table exists (else none). */
    faults: async () => {
      const { rows } = await sql.query<{ table: string | null }>(
        "SELECT to_regclass('projection_faults')::text AS table",
      );
      if (!rows[0].table) return [];
      const faults = await sql.query<{
        projection: string;
        event_type: string;
        error_code: string;
      }>('SELECT projection, event_type, error_code FROM projection_faults');
      return faults.rows;
    },
    close: () => sql.end(),
  };
}

/**
 * Waits until every projection has passed `position` (a read with X-Ledger-Position answers 200
 * only then), and returns the projections that are not healthy: failing, faulted, with an error.
 */
export async function unhealthyProjections(test: TestApp, position: string) {
  const read = await test
    .http()
    .get('/api/v1/ledger/streams?limit=1')
    .set('X-Ledger-Position', position);
  const unhealthy = test.runner
    .status()
    .filter((p) => !['live', 'catching-up'].includes(p.state) || p.lastError !== null)
    .map((p) => ({ name: p.name, state: p.state, lastError: p.lastError }));
  return { readStatus: read.status, unhealthy };
}

/**
 * Seeds the write targets (`seedWriteTargets`) and lists every write route with a valid request
 * (`writeRoutes`); a route of the document with no valid request here fails the test.
 */
export async function seededWriteRoutes(
  test: TestApp,
): Promise<{ targets: Targets; routes: WriteRoute[] }> {
  const targets = await seedWriteTargets(test);
  const { routes, unknown } = await writeRoutes(test, targets);
  expect(unknown).toEqual([]);
  return { targets, routes };
}
