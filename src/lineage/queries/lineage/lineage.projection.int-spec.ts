import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { seedEvent } from '../../../../tests/support/seed-events';
import { TestApp, startTestApp } from '../../../../tests/support/test-app';
import type { DatasetEvent } from '../../../datasets/dataset.events';
import type { DeploymentEvent } from '../../../deployments/deployment.events';
import type { DomainEvent } from '../../../ledger/commands/decider';
import type { Actor, LedgerPosition, RecordedEvent } from '../../../ledger/event-log.port';
import { streams } from '../../../ledger/stream-names';
import type { ModelEvent, ModelVersionRegistered } from '../../../model-registry/model.events';
import type { PredictionBatchRecorded } from '../../../predictions/prediction.events';
import type { TrainingRunEvent } from '../../../training-runs/training-run.events';
import { LineageProjection } from './lineage.projection';

const PIPELINE: Actor = { sub: 'ci', roles: ['pipeline'] };
const digest = (byte: string) => `sha256:${byte.repeat(32)}`;
const day = (n: number) => new Date(Date.UTC(2026, 0, n, 9)).toISOString();

const registered = (version: string, parents: { name: string; version: string }[], at: string) =>
  ({
    type: 'DatasetVersionRegistered',
    data: {
      name: 'loans',
      version,
      contentHash: digest(version === '2026-01' ? 'd1' : 'd2'),
      rows: 1000,
      schema: [],
      location: `s3://lake/loans/${version}`,
      region: 'ap-southeast-2',
      containsPersonalInformation: true,
      containsSensitiveInformation: false,
      lawfulBasis: 'credit assessment',
      collectionNotice: null,
      purpose: null,
      retention: 'P7Y',
      piaId: null,
      parents,
      registeredBy: 'ci',
      registeredAt: at,
    },
  }) satisfies DatasetEvent;

const modelVersion = (version: string, runId: string, at: string): ModelVersionRegistered => ({
  type: 'ModelVersionRegistered',
  data: {
    model: 'credit',
    version,
    runId,
    trainedBy: 'ci',
    datasetVersions: [{ name: 'loans', version: '2026-02', contentHash: digest('d2') }],
    artifactDigest: digest(version === '1.0.0' ? 'a1' : 'a2'),
    riskTier: 'high',
    decisionClass: 'substantially-assists',
    personalInformationKinds: ['financial'],
    decisions: 'approve or refer',
    intendedUse: 'credit',
    limitations: [],
    owner: 'head of credit',
    vendor: null,
    registeredBy: 'dana',
    registeredAt: at,
  },
});

const deployed = (
  version: string,
  strategy: 'full' | 'canary',
  previousVersion: string | null,
  approvalId: string,
  at: string,
): DeploymentEvent => ({
  type: 'ModelDeployed',
  data: {
    deploymentId: 'credit.production',
    model: 'credit',
    version,
    environment: 'production',
    strategy,
    canaryPercent: strategy === 'canary' ? 10 : null,
    previousVersion,
    approvalId,
    deployedBy: 'rick',
    deployedAt: at,
  },
});

/** The projection alone, fed hand-written events: no decider, no command stands in between. */
describe('the lineage projection', () => {
  let test: TestApp;
  let dataSource: DataSource;
  const runId = uuidv7();
  const batchId = uuidv7();
  const [first, second] = [uuidv7(), uuidv7()];

  const append = async (stream: string, events: [DomainEvent, string][]) =>
    (
      await test.eventLog.append(
        stream,
        events.map(([event, at]) => seedEvent(event, PIPELINE, at)),
        { expectedRevision: 'any' },
      )
    ).position;
  const tables = async () => ({
    nodes: await dataSource.query(
      'SELECT kind, id, facts, created_event_ids::text[] AS ids, created_at FROM lineage_nodes ORDER BY kind, id',
    ),
    history: await dataSource.query(
      'SELECT kind, id, revision, event_id, event_type, occurred_at, facts FROM lineage_node_facts ORDER BY kind, id, revision',
    ),
    edges: await dataSource.query(
      'SELECT * FROM lineage_edges ORDER BY from_kind, from_id, to_kind, to_id, relation',
    ),
  });

  beforeAll(async () => {
    test = await startTestApp();
    dataSource = test.app.get(DataSource);
    await append(streams.dataset('loans'), [
      [registered('2026-01', [], day(1)), day(1)],
      [registered('2026-02', [{ name: 'loans', version: '2026-01' }], day(2)), day(2)],
    ]);
    const run: TrainingRunEvent[] = [
      {
        type: 'TrainingRunStarted',
        data: {
          runId,
          model: 'credit',
          datasetVersions: [{ name: 'loans', version: '2026-02', contentHash: digest('d2') }],
          code: { repository: 'git@example:credit.git', commit: 'c0ffee1' },
          algorithm: 'xgboost',
          hyperparameters: {},
          environment: {},
          startedBy: 'ci',
          startedAt: day(3),
        },
      },
      {
        type: 'TrainingRunCompleted',
        data: {
          runId,
          metrics: { auc: 0.8 },
          validationApproach: 'holdout',
          artifact: { uri: 's3://models/credit/1.0.0', digest: digest('a1'), format: 'onnx' },
          completedBy: 'ci',
          completedAt: day(4),
        },
      },
    ];
    await append(streams.trainingRun(runId), [
      [run[0], day(3)],
      [run[1], day(4)],
    ]);
    const model: [ModelEvent, string][] = [
      [modelVersion('1.0.0', runId, day(5)), day(5)],
      [
        {
          type: 'ModelEvaluated',
          data: {
            model: 'credit',
            version: '1.0.0',
            evaluationId: uuidv7(),
            datasetVersion: { name: 'loans', version: '2026-01', contentHash: digest('d1') },
            metrics: { auc: 0.79 },
            baseline: null,
            fairness: [],
            verdict: 'pass',
            evaluatedBy: 'ci',
            evaluatedAt: day(6),
          },
        },
        day(6),
      ],
      [
        {
          type: 'ModelCardUpdated',
          data: {
            model: 'credit',
            version: '1.0.0',
            changes: { personalInformationKinds: ['financial', 'contact'] },
            updatedBy: 'dana',
            updatedAt: day(7),
          },
        },
        day(7),
      ],
      [
        {
          type: 'ModelCardUpdated',
          data: {
            model: 'credit',
            version: '1.0.0',
            changes: { intendedUse: 'credit, retail only' },
            updatedBy: 'dana',
            updatedAt: day(7),
          },
        },
        day(7),
      ],
      [modelVersion('1.1.0', runId, day(8)), day(8)],
    ];
    await append(streams.model('credit'), model);
    await append(streams.deployment('credit.production'), [
      [deployed('1.0.0', 'full', null, first, day(10)), day(10)],
      [deployed('1.1.0', 'canary', '1.0.0', second, day(20)), day(20)],
      [
        {
          type: 'DeploymentRolledBack',
          data: {
            deploymentId: 'credit.production',
            model: 'credit',
            environment: 'production',
            fromVersion: '1.1.0',
            toVersion: '1.0.0',
            reason: 'drift',
            automatic: true,
            rolledBackBy: 'ci',
            rolledBackAt: day(21),
          },
        },
        day(21),
      ],
    ]);
    const batch: PredictionBatchRecorded = {
      type: 'PredictionBatchRecorded',
      data: {
        batchId,
        deploymentId: 'credit.production',
        model: 'credit',
        version: '1.0.0',
        environment: 'production',
        count: 500,
        window: { from: day(22), to: day(23) },
        inputDigest: digest('b1'),
        outputDistribution: { approve: 400, refer: 100 },
        featureSummaries: [],
        latencyMs: { p50: 5, p95: 9, p99: 12 },
        decisions: { automated: 400, referred: 100 },
        recordedBy: 'ci',
        recordedAt: day(23),
      },
    };
    const position: LedgerPosition = await append(streams.predictionBatch(batchId), [
      [batch, day(23)],
    ]);
    expect(await test.runner.waitFor(position, 20_000)).toBe(true);
    // Starting an app on embedded PGlite is slow on a loaded machine.
  }, 120_000);
  afterAll(() => test.close());

  it('records a node per dataset version, run, model version, deployment and batch', async () => {
    const { nodes } = await tables();
    expect(nodes.map((node: { kind: string; id: string }) => `${node.kind} ${node.id}`)).toEqual([
      'dataset-version loans@2026-01',
      'dataset-version loans@2026-02',
      'deployment credit.production',
      'model-version credit@1.0.0',
      'model-version credit@1.1.0',
      `prediction-batch ${batchId}`,
      `training-run ${runId}`,
    ]);
    const byId = new Map(nodes.map((node: { id: string }) => [node.id, node]));
    expect(byId.get(runId)).toMatchObject({
      facts: { status: 'completed', codeCommit: 'c0ffee1', artifactDigest: digest('a1') },
      created_at: new Date(day(3)),
    });
    expect((byId.get(runId) as { ids: string[] }).ids).toHaveLength(2);
    // The card change that touched no lineage fact left the node alone.
    expect(byId.get('credit@1.0.0')).toMatchObject({
      facts: { personalInformationKinds: ['financial', 'contact'], riskTier: 'high' },
    });
    expect((byId.get('credit@1.0.0') as { ids: string[] }).ids).toHaveLength(2);
    // The rollback restores 1.0.0 with the approval it was rolled out on.
    expect(byId.get('credit.production')).toMatchObject({
      facts: { version: '1.0.0', canaryVersion: null, status: 'active', approvalId: first },
      created_at: new Date(day(10)),
    });
    expect(byId.get(batchId)).toMatchObject({
      facts: { count: 500, version: '1.0.0', window: { from: day(22), to: day(23) } },
    });
  });

  it('keeps every node’s facts after each change, for answers as of an instant', async () => {
    const { history } = await tables();
    const deployment = history.filter((row: { kind: string }) => row.kind === 'deployment');
    expect(
      deployment.map((row: { event_type: string; facts: Record<string, unknown> }) => [
        row.event_type,
        row.facts.version,
        row.facts.canaryVersion,
        row.facts.approvalId,
      ]),
    ).toEqual([
      ['ModelDeployed', '1.0.0', null, first],
      ['ModelDeployed', '1.0.0', '1.1.0', second],
      ['DeploymentRolledBack', '1.0.0', null, first],
    ]);
  });

  it('joins them upstream to downstream, each edge dated by the event that first joined them', async () => {
    const { edges } = await tables();
    expect(
      edges.map(
        (edge: Record<string, string>) =>
          `${edge.from_id} -${edge.relation}-> ${edge.to_id} @${new Date(edge.occurred_at).toISOString()}`,
      ),
    ).toEqual([
      `loans@2026-01 -derived-into-> loans@2026-02 @${day(2)}`,
      `loans@2026-01 -evaluated-> credit@1.0.0 @${day(6)}`,
      `loans@2026-02 -trained-> ${runId} @${day(3)}`,
      `credit.production -scored-> ${batchId} @${day(23)}`,
      `credit@1.0.0 -deployed-to-> credit.production @${day(10)}`,
      `credit@1.0.0 -restored-to-> credit.production @${day(21)}`,
      `credit@1.0.0 -scored-> ${batchId} @${day(23)}`,
      `credit@1.1.0 -deployed-to-> credit.production @${day(20)}`,
      `${runId} -produced-> credit@1.0.0 @${day(5)}`,
      `${runId} -produced-> credit@1.1.0 @${day(8)}`,
    ]);
  });

  it('changes nothing when events are applied again, and rebuilds the same tables', async () => {
    const before = await tables();
    const projection = test.app.get(LineageProjection);
    const events: RecordedEvent[] = (await test.eventLog.readAll({ maxCount: 10_000 })).filter(
      (event) => projection.eventTypes.includes(event.type),
    );
    expect(events).toHaveLength(13);
    await dataSource.transaction(async (manager) => {
      await projection.applyPage(events, {
        manager,
        from: null,
        to: events[events.length - 1].position,
        rebuilding: false,
      });
    });
    expect(await tables()).toEqual(before);

    await test.runner.stop();
    await test.runner.rebuild(['lineage']);
    await test.runner.start();
    expect(await tables()).toEqual(before);
  });
});
