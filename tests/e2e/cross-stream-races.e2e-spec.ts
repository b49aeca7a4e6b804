import type { EventLog, RecordedEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import { deploymentSeeds } from '../support/deployment-seeds';
import { type TestApp, startTestApp } from '../support/test-app';
import { storeKinds } from '../support/test-database';

/**
 * Rules that read another stream hold under races (docs/consistency.md): each race sends two
 * commands at once, one changing the stream the other's rule reads. Whatever the interleaving,
 * the ledger never holds the dependent event after the change that forbids it.
 */

const HASH = `sha256:${'5e'.repeat(32)}`;
/** Parallel commands in flight at once: 15 races of two. */
const RACES_AT_ONCE = 15;

/** What a race's checks expect: the change's stream and event, and the dependent command's. */
interface RaceCheck {
  change: { stream: string; type: string };
  /** The dependent command's stream (none when it was refused before it had an id). */
  dependent: { stream?: string; type: string };
  /** How the dependent command is refused when the change wins (any of `codes`, when given). */
  refused: { status: number; codes?: string[] };
}

interface Outcome {
  status: number;
  code?: string;
  /** What a write answered with 201 created. */
  id?: string;
}

describe.each(storeKinds())('cross-stream rules under races (%s)', (kind) => {
  let test: TestApp;
  let seeds: ReturnType<typeof deploymentSeeds>;
  const tokens: Record<string, string> = {};

  const post = async (path: string, who: string, body: object): Promise<Outcome> => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokens[who]}`)
      .send(body);
    const { code, id } = response.body as { code?: string; id?: string };
    if (response.status >= 400 && response.status !== 409 && response.status !== 422) {
      throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.status === 201 ? { status: 201, id } : { status: response.status, code };
  };

  /** Runs `count` races, RACES_AT_ONCE at a time; each gets its own index. */
  async function races(count: number, race: (index: number) => Promise<void>): Promise<void> {
    for (let first = 0; first < count; first += RACES_AT_ONCE) {
      const batch = Array.from({ length: Math.min(RACES_AT_ONCE, count - first) }, (_, i) =>
        race(first + i),
      );
      await Promise.all(batch);
    }
  }

  beforeAll(async () => {
    test = await startTestApp({ kind });
    seeds = deploymentSeeds(test.eventLog);
    tokens.rita = await test.token('rita', ['risk-manager']);
    tokens.rob = await test.token('rob', ['risk-manager']);
    tokens.dana = await test.token('dana', ['data-scientist']);
    tokens.dave = await test.token('dave', ['data-scientist']);
    tokens.ci = await test.token('ci', ['pipeline']);
  });
  afterAll(() => test.close());

  /**
   * Runs `count` races of a dependent command against a change to the stream its rule reads (the
   * change must succeed), then checks each: the change is stored once; a dependent command that
   * won is stored once, before the change in ledger order; one that lost is refused as `refused`
   * says, and nothing of it is stored.
   */
  async function raceAgainstChange(
    count: number,
    race: (index: number) => Promise<{ dependent: Outcome; change: Outcome }>,
    expected: (index: number, dependent: Outcome) => RaceCheck,
  ): Promise<void> {
    const outcomes: Outcome[] = [];
    await races(count, async (index) => {
      const { dependent, change } = await race(index);
      expect(change.status).toBe(201);
      outcomes[index] = dependent;
    });
    for (let index = 0; index < count; index++) {
      const outcome = outcomes[index];
      const { change, dependent, refused } = expected(index, outcome);
      const changed = only(await stream(test.eventLog, change.stream), change.type);
      const stored =
        dependent.stream === undefined
          ? []
          : (await stream(test.eventLog, dependent.stream)).filter(
              (event) => event.type === dependent.type,
            );
      if (outcome.status === 201) {
        // The dependent command won: it is stored, and before the change in ledger order.
        expect(stored).toHaveLength(1);
        expect(before(test.eventLog, stored[0], changed)).toBe(true);
      } else {
        // The change won: the command was decided on the changed stream and refused.
        expect(outcome.status).toBe(refused.status);
        if (refused.codes) expect(refused.codes).toContain(outcome.code);
        expect(stored).toHaveLength(0);
      }
    }
  }

  it('a retirement racing a deploy of the same version: the deploy never lands after it, 100 races of 100', async () => {
    await raceAgainstChange(
      100,
      async (index) => {
        const model = `race-${index}`;
        await seeds.registerModelVersion(model, '1.0.0', { riskTier: 'low' });
        const [deploy, retire] = await Promise.all([
          post('/deployments', 'rita', {
            model,
            version: '1.0.0',
            environment: 'staging',
            strategy: 'full',
          }),
          post(`/models/${model}/versions/1.0.0/retirement`, 'dana', { reason: 'superseded' }),
        ]);
        return { dependent: deploy, change: retire };
      },
      (index) => ({
        change: { stream: streams.model(`race-${index}`), type: 'ModelVersionRetired' },
        dependent: { stream: streams.deployment(`race-${index}.staging`), type: 'ModelDeployed' },
        refused: { status: 409, codes: ['model-version-retired'] },
      }),
    );
  });

  it('a retirement racing an approval request: no request is recorded after the retirement', async () => {
    await raceAgainstChange(
      RACES_AT_ONCE,
      async (index) => {
        const model = `ask-${index}`;
        await seeds.registerModelVersion(model, '1.0.0', { riskTier: 'low' });
        const [request, retire] = await Promise.all([
          post(`/models/${model}/versions/1.0.0/approval-requests`, 'dana', {
            environment: 'production',
          }),
          post(`/models/${model}/versions/1.0.0/retirement`, 'dave', { reason: 'superseded' }),
        ]);
        return { dependent: request, change: retire };
      },
      (index, request) => ({
        change: { stream: streams.model(`ask-${index}`), type: 'ModelVersionRetired' },
        dependent: {
          stream: request.id === undefined ? undefined : streams.approval(request.id),
          type: 'ApprovalRequested',
        },
        refused: { status: 409, codes: ['model-version-retired'] },
      }),
    );
  });

  it('a retirement racing a stage grant: no grant is recorded after the retirement', async () => {
    const approvals: string[] = [];
    await raceAgainstChange(
      RACES_AT_ONCE,
      async (index) => {
        const model = `grant-${index}`;
        await seeds.registerModelVersion(model, '1.0.0');
        approvals[index] = await seeds.approval(
          { model, version: '1.0.0', environment: 'production' },
          'pending',
        );
        const [grant, retire] = await Promise.all([
          post(`/approvals/${approvals[index]}/decisions`, 'rob', {
            stage: 0,
            decision: 'grant',
            comment: 'validated',
          }),
          post(`/models/${model}/versions/1.0.0/retirement`, 'dave', { reason: 'superseded' }),
        ]);
        return { dependent: grant, change: retire };
      },
      (index) => ({
        change: { stream: streams.model(`grant-${index}`), type: 'ModelVersionRetired' },
        dependent: { stream: streams.approval(approvals[index]), type: 'ApprovalStageGranted' },
        // Decided again on the retired version: refused (its evidence or its standing).
        refused: { status: 409, codes: ['model-version-retired', 'evidence-changed'] },
      }),
    );
  });

  it('a dataset retirement racing a training run on it: no run starts on it after the retirement', async () => {
    await raceAgainstChange(
      RACES_AT_ONCE,
      async (index) => {
        const name = `loans-${index}`;
        const registered = await post(`/datasets/${name}/versions`, 'ci', {
          version: 'v1',
          contentHash: HASH,
          rows: 1000,
          schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
          location: `s3://lake/${name}.parquet`,
          region: 'ap-southeast-2',
        });
        expect(registered.status).toBe(201);
        const [run, retire] = await Promise.all([
          post('/training-runs', 'dana', {
            model: `model-${index}`,
            datasetVersions: [{ name, version: 'v1' }],
            code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
            algorithm: 'xgboost',
            hyperparameters: { maxDepth: 6 },
            environment: { python: '3.12' },
          }),
          post(`/datasets/${name}/versions/v1/retirement`, 'ci', { reason: 'superseded' }),
        ]);
        return { dependent: run, change: retire };
      },
      (index, run) => ({
        change: { stream: streams.dataset(`loans-${index}`), type: 'DatasetVersionRetired' },
        dependent: {
          stream: run.id === undefined ? undefined : streams.trainingRun(run.id),
          type: 'TrainingRunStarted',
        },
        refused: { status: 422 },
      }),
    );
  });

  it('a deployment retirement racing a prediction batch: no batch is recorded after the retirement', async () => {
    await raceAgainstChange(
      RACES_AT_ONCE,
      async (index) => {
        const model = `batch-${index}`;
        await seeds.registerModelVersion(model, '1.0.0', { riskTier: 'low' });
        const deployed = await post('/deployments', 'rita', {
          model,
          version: '1.0.0',
          environment: 'staging',
          strategy: 'full',
        });
        expect(deployed.status).toBe(201);
        const [batch, retire] = await Promise.all([
          post(`/deployments/${model}.staging/prediction-batches`, 'ci', {
            version: '1.0.0',
            count: 10,
            window: { from: '2026-02-28T00:00:00Z', to: '2026-03-01T00:00:00Z' },
            inputDigest: HASH,
            outputDistribution: { approve: 8, refer: 2 },
            featureSummaries: [{ feature: 'term', missing: 0 }],
            latencyMs: { p50: 4, p95: 11, p99: 19 },
            decisions: { automated: 8, referred: 2 },
          }),
          post(`/deployments/${model}.staging/retirement`, 'rita', { reason: 'replaced' }),
        ]);
        return { dependent: batch, change: retire };
      },
      (index, batch) => ({
        change: {
          stream: streams.deployment(`batch-${index}.staging`),
          type: 'DeploymentRetired',
        },
        dependent: {
          stream: batch.id === undefined ? undefined : streams.predictionBatch(batch.id),
          type: 'PredictionBatchRecorded',
        },
        refused: { status: 409, codes: ['deployment-not-active'] },
      }),
    );
  });
});

async function stream(eventLog: EventLog, name: string): Promise<RecordedEvent[]> {
  return eventLog.readStream(name).catch(() => []);
}

function only(events: RecordedEvent[], type: string): RecordedEvent {
  const found = events.filter((event) => event.type === type);
  expect(found).toHaveLength(1);
  return found[0];
}

function before(eventLog: EventLog, a: RecordedEvent, b: RecordedEvent): boolean {
  return eventLog.comparePositions(a.position, b.position) < 0;
}
