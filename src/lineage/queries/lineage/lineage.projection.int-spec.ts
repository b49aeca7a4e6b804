import { v7 as uuidv7 } from 'uuid';
import * as given from '../../../../tests/support/projection-events';
import {
  type GivenEvent,
  type ProjectionSpec,
  projectionSpec,
} from '../../../../tests/support/projection-spec';
import type { DatasetEvent } from '../../../datasets/dataset.events';
import type { DeploymentEvent } from '../../../deployments/deployment.events';
import type { DomainEvent } from '../../../ledger/commands/decider';
import type { Actor, RecordedEvent } from '../../../ledger/event-log.port';
import { streams } from '../../../ledger/stream-names';
import type { ModelEvent, ModelVersionRegistered } from '../../../model-registry/model.events';
import type { PredictionBatchRecorded } from '../../../predictions/prediction.events';
import type { TrainingRunEvent } from '../../../training-runs/training-run.events';
import { LineageBatchHistory1764200000031 } from '../../../../migrations/1764200000031-lineage-batch-history';
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
  let spec: ProjectionSpec<LineageProjection>;
  let recorded: RecordedEvent[];
  const runId = uuidv7();
  const batchId = uuidv7();
  const [first, second] = [uuidv7(), uuidv7()];
  const at = (stream: string, entries: [DomainEvent, string][]): GivenEvent[] =>
    entries.map(([event, when]) => ({ ...event, stream, recordedAt: when, actor: PIPELINE }));

  const tables = async () => ({
    nodes: await spec.rows(
      'SELECT kind, id, facts, created_event_ids::text[] AS ids, created_at FROM lineage_nodes ORDER BY kind, id',
    ),
    history: await spec.rows(
      'SELECT kind, id, revision, event_id, event_type, occurred_at, facts FROM lineage_node_facts ORDER BY kind, id, revision',
    ),
    edges: await spec.rows(
      'SELECT * FROM lineage_edges ORDER BY from_kind, from_id, to_kind, to_id, relation',
    ),
    tallies: await spec.rows(
      "SELECT kind, id, to_char(day, 'YYYY-MM-DD') AS day, batches, first_at, last_at FROM lineage_batch_tallies ORDER BY kind, id, day",
    ),
  });

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
  // In ledger order: a stream after another, as the capabilities recorded them.
  const history = (): GivenEvent[] => [
    ...at(streams.dataset('loans'), [
      [registered('2026-01', [], day(1)), day(1)],
      [registered('2026-02', [{ name: 'loans', version: '2026-01' }], day(2)), day(2)],
    ]),
    ...at(streams.trainingRun(runId), [
      [run[0], day(3)],
      [run[1], day(4)],
    ]),
    ...at(streams.model('credit'), model),
    ...at(streams.deployment('credit.production'), [
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
    ]),
    ...at(streams.predictionBatch(batchId), [[batch, day(23)]]),
  ];

  beforeAll(async () => {
    spec = await projectionSpec(LineageProjection);
    // In pages of uneven sizes, as the runner hands them while the events arrive.
    recorded = await spec.given(history(), { pageSize: [3, 1, 5] });
    // Starting an app on embedded PGlite is slow on a loaded machine.
  }, 120_000);
  afterAll(() => spec?.close());

  it('handles the lineage event types, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DatasetVersionRegistered',
      'DatasetVersionRetired',
      'DeploymentPromoted',
      'DeploymentRetired',
      'DeploymentRolledBack',
      'ModelCardUpdated',
      'ModelDeployed',
      'ModelEvaluated',
      'ModelVersionRegistered',
      'ModelVersionRetired',
      'PredictionBatchRecorded',
      'TrainingRunCompleted',
      'TrainingRunFailed',
      'TrainingRunStarted',
    ]);
  });

  it('records a node per dataset version, run, model version, deployment and batch', async () => {
    const { nodes } = await tables();
    expect(nodes.map((node) => `${String(node.kind)} ${String(node.id)}`)).toEqual([
      'dataset-version loans@2026-01',
      'dataset-version loans@2026-02',
      'deployment credit.production',
      'model-version credit@1.0.0',
      'model-version credit@1.1.0',
      `prediction-batch ${batchId}`,
      `training-run ${runId}`,
    ]);
    const byId = new Map(nodes.map((node) => [node.id, node]));
    expect(byId.get(runId)).toMatchObject({
      facts: { status: 'completed', codeCommit: 'c0ffee1', artifactDigest: digest('a1') },
      created_at: new Date(day(3)),
    });
    expect(byId.get(runId)?.ids).toHaveLength(2);
    // The card change that touched no lineage fact left the node alone.
    expect(byId.get('credit@1.0.0')).toMatchObject({
      facts: { personalInformationKinds: ['financial', 'contact'], riskTier: 'high' },
    });
    expect(byId.get('credit@1.0.0')?.ids).toHaveLength(2);
    // The rollback restores 1.0.0 with the approval it was rolled out on.
    expect(byId.get('credit.production')).toMatchObject({
      facts: { version: '1.0.0', canaryVersion: null, status: 'active', approvalId: first },
      created_at: new Date(day(10)),
    });
    expect(byId.get(batchId)).toMatchObject({
      facts: { count: 500, version: '1.0.0', window: { from: day(22), to: day(23) } },
    });
  });

  it('keeps no history row for a prediction batch, and the migration drops those kept before', async () => {
    const batchHistory = () =>
      spec.rows(`SELECT id FROM lineage_node_facts WHERE kind = 'prediction-batch'`);
    expect(await batchHistory()).toEqual([]);
    // A row as the projection wrote before: a copy of the batch's node row.
    await spec.rows(
      `INSERT INTO lineage_node_facts (kind, id, revision, event_id, event_type, occurred_at, facts)
       SELECT kind, id, 0, created_event_ids[1], 'PredictionBatchRecorded', created_at, facts
         FROM lineage_nodes WHERE kind = 'prediction-batch'`,
    );
    expect(await batchHistory()).toEqual([{ id: batchId }]);
    const runner = spec.dataSource.createQueryRunner();
    try {
      await new LineageBatchHistory1764200000031().up(runner);
    } finally {
      await runner.release();
    }
    expect(await batchHistory()).toEqual([]);
  });

  it('keeps every node’s facts after each change, for answers as of an instant', async () => {
    const { history: rows } = await tables();
    const deployment = rows.filter((row) => row.kind === 'deployment');
    expect(
      deployment.map((row) => {
        const facts = row.facts as Record<string, unknown>;
        return [row.event_type, facts.version, facts.canaryVersion, facts.approvalId];
      }),
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
        (edge) =>
          `${String(edge.from_id)} -${String(edge.relation)}-> ${String(edge.to_id)} @${new Date(String(edge.occurred_at)).toISOString()}`,
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
    // Applied again, as one page and in pages: nothing changes.
    await spec.apply(recorded);
    await spec.apply(recorded.slice(4, 9), { pageSize: 2 });
    expect(await tables()).toEqual(before);
    await spec.expectRebuildEqualsLive(history());
  });

  it('leaves alone a node an update names but no event created', async () => {
    await spec.given([
      given.datasetRetired('nowhere', '1'),
      given.cardUpdated('ghost', '1.0.0', { personalInformationKinds: ['contact'] }),
      given.runFailed(uuidv7()),
      given.promoted('ghost.production', '2.0.0'),
      given.deploymentRetired('ghost.production', '2.0.0'),
    ]);
    const { nodes, history: rows, edges } = await tables();
    expect({ nodes, rows, edges }).toEqual({ nodes: [], rows: [], edges: [] });
  });

  it('follows a deployment through canary, promotion, rollbacks and retirement, several changes in one page', async () => {
    const [approval1, approval2, approval3] = [uuidv7(), uuidv7(), uuidv7()];
    const id = 'scorer.production';
    const events = [
      given.deployed(id, '1.0.0', { approvalId: approval1 }),
      given.deployed(id, '2.0.0', {
        canary: true,
        previousVersion: '1.0.0',
        approvalId: approval2,
      }),
      given.promoted(id, '2.0.0'),
      given.deployed(id, '3.0.0', {
        canary: true,
        previousVersion: '2.0.0',
        approvalId: approval3,
      }),
      // Back to 2.0.0: it was rolled out as a canary, with approval2.
      given.rolledBack(id, '3.0.0', '2.0.0'),
      // Back to a version never rolled out here: no approval to rest on.
      given.rolledBack(id, '2.0.0', '0.9.0'),
      given.rolledBack(id, '0.9.0', null),
      given.deploymentRetired(id, '0.9.0'),
    ];
    for (const pageSize of [events.length, 1, 3]) {
      await spec.given(events, { pageSize });
      const rows = await spec.rows<{ event_type: string; facts: Record<string, unknown> }>(
        `SELECT event_type, facts FROM lineage_node_facts WHERE id = $1 ORDER BY revision`,
        [id],
      );
      expect(
        rows.map(({ event_type, facts }) => [
          event_type,
          facts.version,
          facts.canaryVersion,
          facts.canaryPercent,
          facts.status,
          facts.approvalId,
        ]),
      ).toEqual([
        ['ModelDeployed', '1.0.0', null, null, 'active', approval1],
        ['ModelDeployed', '1.0.0', '2.0.0', 10, 'active', approval2],
        ['DeploymentPromoted', '2.0.0', null, null, 'active', approval2],
        ['ModelDeployed', '2.0.0', '3.0.0', 10, 'active', approval3],
        ['DeploymentRolledBack', '2.0.0', null, null, 'active', approval2],
        ['DeploymentRolledBack', '0.9.0', null, null, 'active', null],
        ['DeploymentRolledBack', null, null, null, 'inactive', null],
        ['DeploymentRetired', null, null, null, 'retired', null],
      ]);
      const edges = await spec.rows<{ from_id: string; relation: string }>(
        `SELECT from_id, relation FROM lineage_edges WHERE to_id = $1 ORDER BY from_id, relation`,
        [id],
      );
      expect(edges.map((edge) => `${edge.from_id} ${edge.relation}`)).toEqual([
        'scorer@0.9.0 restored-to',
        'scorer@1.0.0 deployed-to',
        'scorer@2.0.0 deployed-to',
        'scorer@2.0.0 restored-to',
        'scorer@3.0.0 deployed-to',
      ]);
    }
  });

  it('retires versions and runs, and merges a second registration of a node into it', async () => {
    const runA = uuidv7();
    const runB = uuidv7();
    await spec.given([
      given.datasetRegistered('loans', 'v1'),
      given.runStarted(runA, [{ name: 'loans', version: 'v1' }]),
      given.runStarted(runB, [{ name: 'loans', version: 'v1' }]),
      given.runFailed(runB),
      given.runCompleted(runA),
      given.modelRegistered('credit', '1.0.0', runA),
      given.modelRetired('credit', '1.0.0'),
      given.datasetRetired('loans', 'v1'),
      { ...given.datasetRegistered('loans', 'v1'), recordedAt: day(30) },
    ]);
    const nodes = await spec.rows<{ id: string; status: string; ids: number }>(
      `SELECT id, facts->>'status' AS status, cardinality(created_event_ids) AS ids
         FROM lineage_nodes ORDER BY kind, id`,
    );
    expect(nodes).toEqual(
      expect.arrayContaining([
        // Registered again after its retirement: the facts are merged, so it is active again.
        { id: 'loans@v1', status: 'active', ids: 3 },
        { id: 'credit@1.0.0', status: 'retired', ids: 2 },
        { id: runA, status: 'completed', ids: 2 },
        { id: runB, status: 'failed', ids: 2 },
      ]),
    );
  });

  it('tallies the batches each deployment and version scored per UTC day, each batch once', async () => {
    await spec.truncate();
    const batchAt = (id: string, at: string): GivenEvent => ({
      ...batch,
      data: { ...batch.data, batchId: id, recordedAt: at },
      stream: streams.predictionBatch(id),
      recordedAt: at,
      actor: PIPELINE,
    });
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const late = '2026-01-22T23:59:59.999Z';
    const events = [
      batchAt(ids[0], '2026-01-22T00:00:00.000Z'),
      batchAt(ids[1], late),
      batchAt(ids[2], '2026-01-23T00:00:00.000Z'),
      batchAt(ids[3], '2026-01-23T10:00:00.000Z'),
    ];
    const recordedBatches = await spec.given(events, { pageSize: [1, 3] });
    const expected = ['credit.production', 'credit@1.0.0'].flatMap((id) => [
      {
        kind: id.includes('@') ? 'model-version' : 'deployment',
        id,
        day: '2026-01-22',
        batches: 2,
        first_at: new Date('2026-01-22T00:00:00.000Z'),
        last_at: new Date(late),
      },
      {
        kind: id.includes('@') ? 'model-version' : 'deployment',
        id,
        day: '2026-01-23',
        batches: 2,
        first_at: new Date('2026-01-23T00:00:00.000Z'),
        last_at: new Date('2026-01-23T10:00:00.000Z'),
      },
    ]);
    expect((await tables()).tallies).toEqual(expected);
    // A replay, whole or in pages, inserts no edge: no batch is counted twice.
    await spec.apply(recordedBatches);
    await spec.apply(recordedBatches.slice(1), { pageSize: 2 });
    expect((await tables()).tallies).toEqual(expected);
    await spec.expectRebuildEqualsLive(events);
  });

  it('writes a page of 1,000 mixed events in a statement per wave of changes to one node', async () => {
    await spec.truncate();
    const recorded = spec.record(given.mixedLedger(1000));
    // Each training run is started then completed in the page: two waves.
    expect(await given.statementsToApply(spec, recorded, null)).toBe(2);
    const nodes = await spec.rows<{ n: number }>('SELECT count(*)::int AS n FROM lineage_nodes');
    expect(nodes[0].n).toBe(
      recorded.filter((event) =>
        [
          'DatasetVersionRegistered',
          'TrainingRunStarted',
          'ModelVersionRegistered',
          'ModelDeployed',
          'PredictionBatchRecorded',
        ].includes(event.type),
      ).length,
    );
  });
});
