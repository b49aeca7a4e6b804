import { v7 as uuidv7 } from 'uuid';
import { approvalHistory, decide, request } from '../../../../tests/support/approval-histories';
import {
  ARTIFACT_DIGEST,
  HOLDOUT,
  evaluate,
  modelStream,
  registerVersion,
  retire,
  storeArtifact,
  updateCard,
} from '../../../../tests/support/model-streams';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { serviceEvaluated } from '../../../../tests/support/service-evaluation-fixture';
import { ModelRegistryProjection } from './model-registry.projection';

describe('model-registry projection', () => {
  let spec: ProjectionSpec<ModelRegistryProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(ModelRegistryProjection);
  });
  afterAll(() => spec?.close());

  type Row = Record<string, unknown>;
  const models = () => spec.rows<Row>('SELECT * FROM models ORDER BY name');
  const versions = () => spec.rows<Row>('SELECT * FROM model_versions ORDER BY model, version');
  const evaluations = () =>
    spec.rows<Row>(
      'SELECT *, baseline IS NULL AS no_baseline, service IS NULL AS no_service FROM model_evaluations ORDER BY stream_revision',
    );

  it('handles the model stream’s event types and approvals, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'ModelArtifactStored',
      'ModelCardUpdated',
      'ModelEvaluated',
      'ModelVersionApproved',
      'ModelVersionRegistered',
      'ModelVersionRetired',
    ]);
  });

  it('registers versions: the model’s row counts them, the version holds its card', async () => {
    const credit = modelStream('credit-risk');
    const fraud = modelStream('fraud');
    const recorded = await spec.given([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...fraud.when(registerVersion('fraud', '0.1.0', { vendor: 'Acme Analytics' })),
      ...credit.when(
        registerVersion('credit-risk', '1.1.0', { riskTier: 'medium' }, '2026-03-09T00:00:00.000Z'),
      ),
    ]);
    expect(await models()).toEqual([
      {
        name: 'credit-risk',
        latest_version: '1.1.0',
        version_count: 2,
        created_at: new Date('2026-03-01T00:00:00.000Z'),
        updated_at: new Date('2026-03-09T00:00:00.000Z'),
        last_revision: expect.anything(),
      },
      expect.objectContaining({ name: 'fraud', latest_version: '0.1.0', version_count: 1 }),
    ]);
    expect(String((await models())[0].last_revision)).toBe(String(recorded[2].revision));
    const [first, second, vendor] = await versions();
    expect(first).toEqual({
      model: 'credit-risk',
      version: '1.0.0',
      run_id: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
      trained_by: 'tara',
      dataset_versions: [
        { name: 'loan-applications', version: '2026-02', contentHash: `sha256:${'d1'.repeat(32)}` },
      ],
      artifact_digest: ARTIFACT_DIGEST,
      risk_tier: 'high',
      decision_class: 'substantially-assists',
      personal_information_kinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intended_use: 'retail credit decisioning',
      limitations: ['not for business lending'],
      owner: 'head of retail credit risk',
      vendor: null,
      explainability: null,
      human_oversight: null,
      consumer_disclosure: null,
      monitoring_cadence: null,
      registered_by: 'reggie',
      registered_at: new Date('2026-03-01T00:00:00.000Z'),
      registration_revision: expect.anything(),
      card_updated_by: null,
      card_updated_at: null,
      retired_reason: null,
      retired_by: null,
      retired_at: null,
      artifact: null,
    });
    expect(String(first.registration_revision)).toBe(String(recorded[0].revision));
    expect(second).toMatchObject({ version: '1.1.0', risk_tier: 'medium' });
    expect(vendor).toMatchObject({ model: 'fraud', vendor: 'Acme Analytics' });
  });

  it('applies each model event once: a replay changes nothing', async () => {
    const credit = modelStream('credit-risk');
    const recorded = await spec.given([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...credit.when(registerVersion('credit-risk', '1.1.0')),
      ...credit.when(updateCard('credit-risk', '1.0.0', { owner: 'model risk committee' })),
      ...credit.when(evaluate('credit-risk', '1.0.0', uuidv7())),
    ]);
    const before = [await models(), await versions(), await evaluations()];
    await spec.apply(recorded);
    expect([await models(), await versions(), await evaluations()]).toEqual(before);
    expect((await models())[0].version_count).toBe(2);
  });

  it('changes only the card fields named, in ledger order, and moves the model on', async () => {
    const credit = modelStream('credit-risk');
    await spec.given(
      [
        ...credit.when(registerVersion('credit-risk', '1.0.0')),
        ...credit.when(registerVersion('credit-risk', '1.1.0')),
        ...credit.when(
          updateCard('credit-risk', '1.0.0', {
            limitations: ['not for business lending', 'no SMEs'],
            explainability: 'SHAP per decision',
          }),
        ),
        ...credit.when(
          updateCard(
            'credit-risk',
            '1.0.0',
            { explainability: 'reason codes', personalInformationKinds: ['financial', 'contact'] },
            '2026-03-04T00:00:00.000Z',
          ),
        ),
        ...credit.when(updateCard('credit-risk', '1.1.0', { humanOversight: 'a credit officer' })),
      ].map((event) => ({ ...event, recordedAt: '2026-03-10T00:00:00.000Z' })),
    );
    const [first, second] = await versions();
    expect(first).toMatchObject({
      limitations: ['not for business lending', 'no SMEs'],
      explainability: 'reason codes',
      personal_information_kinds: ['financial', 'contact'],
      owner: 'head of retail credit risk',
      human_oversight: null,
      card_updated_by: 'olive',
      card_updated_at: new Date('2026-03-04T00:00:00.000Z'),
    });
    expect(second).toMatchObject({
      human_oversight: 'a credit officer',
      explainability: null,
      card_updated_at: new Date('2026-03-02T00:00:00.000Z'),
    });
    expect((await models())[0].updated_at).toEqual(new Date('2026-03-10T00:00:00.000Z'));
  });

  it('records evaluations, telling Attest’s own runs with their service record', async () => {
    const credit = modelStream('credit-risk');
    const pipelineId = uuidv7();
    const registered = credit.when(registerVersion('credit-risk', '1.0.0'));
    const pipeline = credit.one(
      'ModelEvaluated',
      evaluate('credit-risk', '1.0.0', pipelineId, 'fail'),
    );
    const attest = {
      ...serviceEvaluated({ model: 'credit-risk', version: '1.0.0', champion: null }),
      stream: credit.stream,
    };
    // A pipeline claiming to be Attest without a service record counts as the pipeline's.
    const claimed = {
      ...pipeline,
      data: { ...pipeline.data, evaluationId: uuidv7(), performedBy: 'attest' as const },
    };
    await spec.given([...registered, pipeline, attest, claimed, pipeline]);
    const rows = await evaluations();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      evaluation_id: pipelineId,
      model: 'credit-risk',
      version: '1.0.0',
      dataset_version: HOLDOUT,
      metrics: { auc: 0.55, ks: 0.42 },
      fairness: pipeline.data.fairness,
      verdict: 'fail',
      evaluated_by: 'ci-pipeline',
      evaluated_at: new Date('2026-03-03T00:00:00.000Z'),
      performed_by: 'pipeline',
      no_baseline: true,
      no_service: true,
    });
    expect(rows[1]).toMatchObject({
      evaluation_id: attest.data.evaluationId,
      performed_by: 'attest',
      service: JSON.parse(JSON.stringify(attest.data.service)),
      no_service: false,
    });
    expect(rows[2]).toMatchObject({ performed_by: 'pipeline', no_service: true });
  });

  it('retires a version and stores its artifact', async () => {
    const credit = modelStream('credit-risk');
    await spec.given([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...credit.when(registerVersion('credit-risk', '1.1.0')),
      ...credit.when(storeArtifact('credit-risk', '1.0.0')),
      ...credit.when(storeArtifact('credit-risk', '1.1.0')),
      ...credit.when(retire('credit-risk', '1.0.0', 'replaced by 1.1.0')),
    ]);
    const [first, second] = await versions();
    expect(first).toMatchObject({
      retired_reason: 'replaced by 1.1.0',
      retired_by: 'reggie',
      retired_at: new Date('2026-03-05T00:00:00.000Z'),
      artifact: expect.objectContaining({
        model: 'credit-risk',
        version: '1.0.0',
        digest: ARTIFACT_DIGEST,
        scoreOutput: 'probability',
        storedBy: 'reggie',
      }),
    });
    expect(second).toMatchObject({
      retired_reason: null,
      artifact: expect.objectContaining({ version: '1.1.0' }),
    });
  });

  it('records approvals per version and moves the model’s updated_at', async () => {
    const credit = modelStream('credit-risk');
    const approvalId = uuidv7();
    const approval = approvalHistory(approvalId, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant', '2026-03-06T00:00:00.000Z'),
      decide('cora', ['compliance-officer'], 'grant', '2026-03-07T00:00:00.000Z'),
    ]);
    const approved = approval.filter((event) => event.type === 'ModelVersionApproved');
    await spec.given([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...approval,
      ...approved,
    ]);
    expect(await spec.rows('SELECT * FROM model_version_approvals')).toEqual([
      {
        approval_id: approvalId,
        model: 'credit-risk',
        version: '1.0.0',
        environment: 'production',
        evidence_digest: approved[0].data.evidenceDigest,
        approvers: [
          { stage: 0, role: 'risk-manager', sub: 'rita', at: '2026-03-06T00:00:00.000Z' },
          { stage: 1, role: 'compliance-officer', sub: 'cora', at: '2026-03-07T00:00:00.000Z' },
        ],
        approved_at: new Date('2026-03-07T00:00:00.000Z'),
      },
    ]);
    expect((await models())[0].updated_at).toEqual(new Date('2026-03-07T00:00:00.000Z'));
  });

  it('leaves out the events of a model it has no row for', async () => {
    const credit = modelStream('credit-risk');
    const [registered] = credit.when(registerVersion('credit-risk', '1.0.0'));
    const [changed] = credit.when(updateCard('credit-risk', '1.0.0', { owner: 'x' }));
    const [evaluated] = credit.when(evaluate('credit-risk', '1.0.0', uuidv7()));
    const other = (model: string) => ({ stream: `model-${model}` });
    await spec.given([
      { ...changed, ...other('ghost'), data: { ...changed.data, model: 'ghost' } },
      { ...evaluated, ...other('ghost'), data: { ...evaluated.data, model: 'ghost' } },
      registered,
    ]);
    expect((await models()).map((row) => row.name)).toEqual(['credit-risk']);
    expect(await evaluations()).toEqual([]);
    expect((await versions())[0].owner).toBe('head of retail credit risk');
  });

  it('applies a run in a few statements: revisions read, models moved, rows written', async () => {
    const names = Array.from({ length: 20 }, (_, index) => `model-${index}`);
    const streamsOf = names.map((name) => modelStream(name));
    const registered = spec.record(
      names.flatMap((name, index) => streamsOf[index].when(registerVersion(name, '1.0.0'))),
    );
    const evaluated = spec.record(
      names.flatMap((name, index) => streamsOf[index].when(evaluate(name, '1.0.0', uuidv7()))),
    );
    await spec.truncate();
    // Revisions read, models inserted, versions inserted.
    expect(await statementsToApply(spec, registered, null)).toBe(3);
    await spec.apply(registered);
    // Revisions read, models moved on, evaluations inserted.
    expect(await statementsToApply(spec, evaluated, null)).toBe(3);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    const credit = modelStream('credit-risk');
    const fraud = modelStream('fraud');
    const approval = approvalHistory(uuidv7(), [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant', '2026-03-06T00:00:00.000Z'),
      decide('cora', ['compliance-officer'], 'grant', '2026-03-07T00:00:00.000Z'),
    ]);
    await spec.expectRebuildEqualsLive([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...fraud.when(registerVersion('fraud', '0.1.0')),
      ...credit.when(registerVersion('credit-risk', '1.1.0', {}, '2026-03-02T00:00:00.000Z')),
      ...credit.when(storeArtifact('credit-risk', '1.0.0')),
      ...credit.when(updateCard('credit-risk', '1.0.0', { explainability: 'SHAP' })),
      ...fraud.when(updateCard('fraud', '0.1.0', { owner: 'head of fraud' })),
      ...credit.when(updateCard('credit-risk', '1.0.0', { monitoringCadence: 'monthly' })),
      ...credit.when(evaluate('credit-risk', '1.0.0', uuidv7())),
      ...fraud.when(evaluate('fraud', '0.1.0', uuidv7(), 'fail')),
      ...approval,
      ...credit.when(retire('credit-risk', '1.1.0')),
      ...fraud.when(storeArtifact('fraud', '0.1.0')),
    ]);
  });
});
