import type { Response } from 'supertest';
import { approvalEvidence, evidenceDigest } from '../../src/approvals/approval-evidence';
import type { Role } from '../../src/auth/roles';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvent, RiskTier } from '../../src/model-registry/model.events';
import {
  modelEvaluated,
  modelVersionRegistered,
  modelVersionRetired,
  seedModelEvents,
  seedStream,
} from '../support/seed-events';
import { serviceRunEvaluated } from '../support/service-evaluations';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';

describe('approvals over HTTP', () => {
  let test: TestApp;
  /** The newest ledger position this suite wrote: reads wait for it, counts wait until it settles. */
  let last: string | undefined;
  const people: Record<string, string> = {};

  // Who is who: reggie registers, tara trains, dana requests; reviewers decide.
  const cast: Record<string, Role[]> = {
    dana: ['data-scientist', 'risk-manager'],
    reggie: ['data-scientist', 'risk-manager'],
    tara: ['data-scientist', 'risk-manager'],
    dave: ['data-scientist'],
    rita: ['risk-manager', 'compliance-officer'],
    rob: ['risk-manager'],
    cora: ['compliance-officer'],
    regina: ['regulator'],
    ann: ['admin'],
    pipe: ['pipeline'],
  };

  beforeAll(async () => {
    test = await startTestApp();
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
  });
  afterAll(() => test?.close());

  const track = (response: Response): Response => {
    if (response.body?.ledgerPosition) last = response.body.ledgerPosition as string;
    return response;
  };

  const post = async (path: string, as: string, body: object = {}, expected: number) =>
    track(
      await test
        .anonymous()
        .post(`${API}${path}`)
        .set('Authorization', people[as])
        .send(body)
        .expect(expected),
    );

  const put = async (path: string, as: string, body: object, expected: number) =>
    track(
      await test
        .anonymous()
        .put(`${API}${path}`)
        .set('Authorization', people[as])
        .send(body)
        .expect(expected),
    );

  const get = (path: string, as: string, expected = 200) => {
    const request = test.anonymous().get(`${API}${path}`).set('Authorization', people[as]);
    return (last ? request.set('X-Ledger-Position', last) : request).expect(expected);
  };

  const ledgerSize = (): Promise<number> => test.countEvents();

  const seed = async (model: string, events: ModelEvent[]) => {
    last = (await seedModelEvents(test.eventLog, model, events)).position;
  };

  /** A registered version with service-run evaluations (for production) of the given verdicts. */
  const seedVersion = (
    model: string,
    version: string,
    riskTier: RiskTier,
    verdicts: ('pass' | 'fail')[] = ['pass'],
  ) =>
    seed(model, [
      modelVersionRegistered({ model, version, riskTier }),
      ...verdicts.map((verdict) =>
        serviceRunEvaluated({ model, version, passed: verdict === 'pass' }),
      ),
    ]);

  const requestApproval = (model: string, version: string, body: object = {}, as = 'dana') =>
    post(`/models/${model}/versions/${version}/approval-requests`, as, body, 201);

  const inbox = async (as: string): Promise<string[]> => {
    const response = await get('/approvals?status=pending', as);
    return (response.body.items as { id: string }[]).map((item) => item.id);
  };

  const approvalStream = async (id: string) => test.eventLog.readStream(streams.approval(id));

  describe('the approval policy', () => {
    it('is the default until set, refuses other roles and bad shapes, and repeats as a no-op', async () => {
      const initial = await get('/policies/approval', 'dave');
      expect(initial.body).toEqual({
        id: 'approval',
        isDefault: true,
        setBy: null,
        setAt: null,
        tiers: {
          low: {
            stages: ['risk-manager'],
            requirePassingEvaluation: false,
            requireGrantComment: false,
          },
          medium: {
            stages: ['risk-manager'],
            requirePassingEvaluation: true,
            requireGrantComment: false,
          },
          high: {
            stages: ['risk-manager', 'compliance-officer'],
            requirePassingEvaluation: true,
            requireGrantComment: true,
          },
        },
      });

      // A low-tier version under the default: one risk-manager stage, no evaluation needed.
      await seedVersion('scorecard', '1.0.0', 'low', []);
      const before = await requestApproval('scorecard', '1.0.0');
      const underDefault = await get(`/approvals/${before.body.id}`, 'regina');
      expect(underDefault.body).toMatchObject({
        riskTier: 'low',
        requirePassingEvaluation: false,
        stages: [{ stage: 0, role: 'risk-manager', status: 'pending' }],
      });

      const tiers = {
        low: { stages: ['compliance-officer', 'risk-manager'], requirePassingEvaluation: false },
        medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
        high: { stages: ['risk-manager', 'compliance-officer'], requirePassingEvaluation: true },
      };
      const size = await ledgerSize();
      for (const who of ['dave', 'rob', 'regina', 'pipe']) {
        const refused = await put('/policies/approval', who, { tiers }, 403);
        expect(refused.body).toMatchObject({ code: 'forbidden' });
      }
      const invalid: [object, string][] = [
        [{ tiers: { low: tiers.low, medium: tiers.medium } }, 'tiers.high'],
        [{ tiers: { ...tiers, low: { ...tiers.low, stages: [] } } }, 'tiers.low.stages'],
        [
          {
            tiers: {
              ...tiers,
              medium: { ...tiers.medium, stages: ['risk-manager', 'risk-manager'] },
            },
          },
          'tiers.medium.stages',
        ],
        [
          { tiers: { ...tiers, high: { ...tiers.high, stages: ['regulator'] } } },
          'tiers.high.stages',
        ],
        [
          {
            tiers: {
              ...tiers,
              high: {
                stages: ['risk-manager', 'compliance-officer', 'risk-manager'],
                requirePassingEvaluation: true,
              },
            },
          },
          'tiers.high.stages',
        ],
        [
          { tiers: { ...tiers, low: { stages: ['risk-manager'] } } },
          'tiers.low.requirePassingEvaluation',
        ],
        [{ tiers, quorum: 2 }, 'quorum'],
        [
          { tiers: { ...tiers, low: { ...tiers.low, requireGrantComment: 'yes' } } },
          'tiers.low.requireGrantComment',
        ],
      ];
      for (const [body, field] of invalid) {
        const refused = await put('/policies/approval', 'cora', body, 400);
        expect(refused.body).toMatchObject({ code: 'invalid-request' });
        expect(
          Object.keys(refused.body.errors as object).some((key) => key.startsWith(field)),
        ).toBe(true);
      }
      expect(await ledgerSize()).toBe(size);

      const set = await put('/policies/approval', 'cora', { tiers }, 200);
      expect(set.body).toEqual({
        id: 'approval',
        ledgerPosition: expect.any(String),
        eventIds: [expect.any(String)],
      });
      const again = await put('/policies/approval', 'ann', { tiers }, 200);
      expect(again.body).toEqual({ ...set.body, eventIds: [] });
      expect(await test.eventLog.readStream(streams.approvalPolicy())).toHaveLength(1);

      const current = await get('/policies/approval', 'regina');
      expect(current.body).toEqual({
        id: 'approval',
        isDefault: false,
        setBy: 'cora',
        setAt: expect.any(String),
        // Left out of the body, grant comments take their default: required for high only.
        tiers: {
          low: { ...tiers.low, requireGrantComment: false },
          medium: { ...tiers.medium, requireGrantComment: false },
          high: { ...tiers.high, requireGrantComment: true },
        },
      });

      // A request made now takes its stages from the new policy; the earlier one keeps its own.
      const after = await requestApproval('scorecard', '1.0.0', { environment: 'staging' });
      const underNew = await get(`/approvals/${after.body.id}`, 'regina');
      expect(underNew.body).toMatchObject({
        environment: 'staging',
        stages: [
          { stage: 0, role: 'compliance-officer', status: 'pending' },
          { stage: 1, role: 'risk-manager', status: 'pending' },
        ],
        currentStage: 0,
        currentRole: 'compliance-officer',
      });
      expect((await get(`/approvals/${before.body.id}`, 'regina')).body.stages).toHaveLength(1);
      expect(await inbox('cora')).toContain(after.body.id);
      expect(await inbox('cora')).not.toContain(before.body.id);
      expect(await inbox('rob')).not.toContain(after.body.id);
      expect(await inbox('rob')).toContain(before.body.id);
    });
  });

  describe('requesting approval', () => {
    it('refuses what the rules forbid, each with its status, and appends nothing', async () => {
      await seedVersion('credit-risk', '1.0.0', 'high', ['fail']);
      await seedVersion('credit-risk', '1.0.1', 'high', []);
      await seed('credit-risk', [
        modelVersionRegistered({ model: 'credit-risk', version: '1.1.0' }),
        modelEvaluated({ model: 'credit-risk', version: '1.1.0' }),
        modelVersionRetired({ model: 'credit-risk', version: '1.1.0' }),
      ]);
      const size = await ledgerSize();
      const refuse = async (
        path: string,
        as: string,
        body: object,
        status: number,
        code: string,
      ) => {
        const response = await post(path, as, body, status);
        expect(response.body).toMatchObject({ status, code });
        return response;
      };
      const at = (model: string, version: string) =>
        `/models/${model}/versions/${version}/approval-requests`;

      await refuse(at('no-such-model', '1.0.0'), 'dana', {}, 404, 'not-found');
      await refuse(at('credit-risk', '9.9.9'), 'dana', {}, 404, 'not-found');
      await refuse(at('credit-risk', '1.1.0'), 'dana', {}, 409, 'model-version-retired');
      // High tier under the default policy: a failed evaluation, or none, is not enough.
      await refuse(at('credit-risk', '1.0.0'), 'dana', {}, 422, 'passing-evaluation-required');
      await refuse(at('credit-risk', '1.0.1'), 'dana', {}, 422, 'passing-evaluation-required');
      for (const who of ['rob', 'cora', 'regina', 'pipe', 'ann']) {
        await refuse(at('credit-risk', '1.0.0'), who, {}, 403, 'forbidden');
      }
      const badEnvironment = await refuse(
        at('credit-risk', '1.0.0'),
        'dana',
        { environment: 'Prod!' },
        400,
        'invalid-request',
      );
      expect(badEnvironment.body.errors).toHaveProperty('environment');
      const unknownField = await refuse(
        at('credit-risk', '1.0.0'),
        'dana',
        { approver: 'rob' },
        400,
        'invalid-request',
      );
      expect(unknownField.body.errors).toHaveProperty('approver');
      const badName = await refuse(at('Credit_Risk', '1.0.0'), 'dana', {}, 400, 'invalid-request');
      expect(badName.body.errors).toHaveProperty('name');
      await test
        .anonymous()
        .post(`${API}${at('credit-risk', '1.0.0')}`)
        .send({})
        .expect(401);

      expect(await ledgerSize()).toBe(size);
    });

    it('records the stages, four-eyes parties and the evidence digest over artifact, datasets and evaluations', async () => {
      await seedVersion('credit-risk', '2.0.0', 'high', ['fail', 'pass']);
      const response = await requestApproval('credit-risk', '2.0.0', { comment: 'VR-2026-031' });
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        ledgerPosition: expect.any(String),
        eventIds: [expect.any(String)],
      });
      const [event] = await approvalStream(response.body.id);
      const modelStream = await test.eventLog.readStream(streams.model('credit-risk'));
      const evaluationHashes = modelStream
        .filter((e) => e.type === 'ModelEvaluated' && e.data.version === '2.0.0')
        .map((e) => e.metadata.integrity.hash);
      expect(evaluationHashes).toHaveLength(2);
      const evidence = approvalEvidence({
        artifactDigest: `sha256:${'a1'.repeat(32)}`,
        datasetContentHashes: [`sha256:${'d2'.repeat(32)}`, `sha256:${'d1'.repeat(32)}`],
        evaluationEventHashes: evaluationHashes,
        // The request relies on the passing one, the latest.
        passingEvaluationEventHash: evaluationHashes[1],
      });
      expect(event).toMatchObject({
        type: 'ApprovalRequested',
        data: {
          approvalId: response.body.id,
          model: 'credit-risk',
          version: '2.0.0',
          environment: 'production',
          riskTier: 'high',
          stages: [
            { stage: 0, role: 'risk-manager' },
            { stage: 1, role: 'compliance-officer' },
          ],
          evidence,
          evidenceDigest: evidenceDigest(evidence),
          registeredBy: 'reggie',
          trainedBy: 'tara',
          requestedBy: 'dana',
          comment: 'VR-2026-031',
        },
        metadata: { actor: { sub: 'dana', roles: cast.dana } },
      });
    });
  });

  describe('deciding a two-stage request', () => {
    it('goes risk manager then compliance officer to approved, showing it in the right inboxes at each step', async () => {
      await seedVersion('credit-risk', '3.0.0', 'high');
      const { body: requested } = await requestApproval('credit-risk', '3.0.0');
      const id = requested.id as string;
      const decide = (as: string, body: object, status: number) =>
        post(`/approvals/${id}/decisions`, as, body, status);

      const pending = await get(`/approvals/${id}`, 'dave');
      expect(pending.body).toMatchObject({
        id,
        model: 'credit-risk',
        version: '3.0.0',
        environment: 'production',
        riskTier: 'high',
        status: 'pending',
        currentStage: 0,
        currentRole: 'risk-manager',
        requestedBy: 'dana',
        registeredBy: 'reggie',
        trainedBy: 'tara',
        grantedBy: [],
        evidenceDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        evidence: { artifactDigest: `sha256:${'a1'.repeat(32)}` },
        decidedAt: null,
      });

      // Stage 0: risk managers other than the registrant, trainer and requester.
      expect(await inbox('rob')).toContain(id);
      expect(await inbox('rita')).toContain(id);
      for (const who of ['cora', 'reggie', 'tara', 'dana', 'dave', 'pipe']) {
        expect(await inbox(who)).not.toContain(id);
      }
      expect(await inbox('regina')).toContain(id);
      expect(await inbox('ann')).toContain(id);

      const size = await ledgerSize();
      const refusals: [string, object, number, string][] = [
        ['cora', { decision: 'grant' }, 403, 'stage-role-required'],
        ['reggie', { decision: 'grant' }, 403, 'four-eyes'],
        ['tara', { decision: 'grant' }, 403, 'four-eyes'],
        ['dana', { decision: 'grant' }, 403, 'four-eyes'],
        ['dana', { decision: 'reject', comment: 'no' }, 403, 'four-eyes'],
        ['rob', { decision: 'grant', stage: 1 }, 409, 'stage-not-pending'],
        ['rob', { decision: 'grant', stage: 2 }, 422, 'unknown-stage'],
        ['rob', { decision: 'reject' }, 400, 'invalid-request'],
        ['rob', { decision: 'reject', comment: '  ' }, 400, 'invalid-request'],
        ['rob', { decision: 'maybe' }, 400, 'invalid-request'],
        ['rob', { decision: 'grant', stage: -1 }, 400, 'invalid-request'],
        ['rob', { decision: 'grant', approvers: 2 }, 400, 'invalid-request'],
        ['dave', { decision: 'grant' }, 403, 'forbidden'],
        ['pipe', { decision: 'grant' }, 403, 'forbidden'],
        ['regina', { decision: 'grant' }, 403, 'forbidden'],
        ['ann', { decision: 'grant' }, 403, 'forbidden'],
      ];
      for (const [who, body, status, code] of refusals) {
        const refused = await decide(who, body, status);
        expect({ who, body, code: refused.body.code }).toEqual({ who, body, code });
      }
      const noComment = await decide('rob', { decision: 'reject' }, 400);
      expect(noComment.body.errors).toHaveProperty('comment');
      await post(
        `/approvals/0195aaaa-0000-7000-8000-000000000000/decisions`,
        'rob',
        { decision: 'grant' },
        404,
      );
      await post(`/approvals/not-an-id/decisions`, 'rob', { decision: 'grant' }, 400);
      expect(await approvalStream(id)).toHaveLength(1);
      expect(await ledgerSize()).toBe(size);

      const first = await decide(
        'rita',
        { decision: 'grant', comment: 'back-test within appetite' },
        201,
      );
      expect(first.body).toEqual({
        id,
        ledgerPosition: expect.any(String),
        eventIds: [expect.any(String)],
      });

      // Stage 1: compliance officers, but not rita, who granted stage 0.
      expect(await inbox('cora')).toContain(id);
      for (const who of ['rob', 'rita', 'reggie', 'tara', 'dana']) {
        expect(await inbox(who)).not.toContain(id);
      }
      expect(await inbox('regina')).toContain(id);
      const midway = await get(`/approvals/${id}`, 'regina');
      expect(midway.body).toMatchObject({
        status: 'pending',
        currentStage: 1,
        currentRole: 'compliance-officer',
        grantedBy: ['rita'],
        stages: [
          {
            stage: 0,
            role: 'risk-manager',
            status: 'granted',
            by: 'rita',
            comment: 'back-test within appetite',
          },
          { stage: 1, role: 'compliance-officer', status: 'pending', by: null },
        ],
      });

      const sizeMidway = await ledgerSize();
      expect((await decide('rita', { decision: 'grant' }, 403)).body.code).toBe(
        'one-stage-per-person',
      );
      expect((await decide('rita', { decision: 'reject', comment: 'x' }, 403)).body.code).toBe(
        'one-stage-per-person',
      );
      expect((await decide('rob', { decision: 'grant', stage: 0 }, 409)).body.code).toBe(
        'stage-not-pending',
      );
      expect((await decide('rob', { decision: 'grant' }, 403)).body.code).toBe(
        'stage-role-required',
      );
      expect(await ledgerSize()).toBe(sizeMidway);

      // High risk: the default policy requires the grant's reason, and refuses a grant without one.
      const noReason = await decide('cora', { decision: 'grant' }, 422);
      expect(noReason.body).toMatchObject({
        code: 'grant-comment-required',
        detail: expect.stringContaining('the approval policy requires a comment'),
        errors: { comment: [expect.stringContaining('required by the approval policy')] },
      });
      expect(noReason.headers['content-type']).toContain('application/problem+json');
      const blank = await decide('cora', { decision: 'grant', comment: ' \t' }, 400);
      expect(blank.body.errors).toHaveProperty('comment');
      expect(await ledgerSize()).toBe(sizeMidway);

      const second = await decide(
        'cora',
        { decision: 'grant', comment: 'disclosures and human oversight in place' },
        201,
      );
      expect(second.body.eventIds).toHaveLength(2);
      const stream = await approvalStream(id);
      expect(stream.map((e) => e.type)).toEqual([
        'ApprovalRequested',
        'ApprovalStageGranted',
        'ApprovalStageGranted',
        'ModelVersionApproved',
      ]);
      expect(stream[3].data).toMatchObject({
        approvalId: id,
        model: 'credit-risk',
        version: '3.0.0',
        environment: 'production',
        evidenceDigest: pending.body.evidenceDigest,
        approvers: [
          { stage: 0, role: 'risk-manager', sub: 'rita' },
          { stage: 1, role: 'compliance-officer', sub: 'cora' },
        ],
      });
      expect(stream[2].metadata.actor).toEqual({ sub: 'cora', roles: ['compliance-officer'] });

      const approved = await get(`/approvals/${id}`, 'dave');
      expect(approved.body).toMatchObject({
        status: 'approved',
        currentStage: null,
        currentRole: null,
        grantedBy: ['rita', 'cora'],
        decidedAt: expect.any(String),
        stages: [
          { stage: 0, status: 'granted', by: 'rita' },
          { stage: 1, status: 'granted', by: 'cora', at: expect.any(String) },
        ],
      });
      const listed = await get(
        '/approvals?status=approved&model=credit-risk&environment=production',
        'pipe',
      );
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
      expect(await inbox('cora')).not.toContain(id);
      expect(await inbox('regina')).not.toContain(id);

      const sizeAfter = await ledgerSize();
      expect((await decide('rob', { decision: 'grant' }, 409)).body.code).toBe('approval-closed');
      expect((await post(`/approvals/${id}/withdrawal`, 'dana', {}, 409)).body.code).toBe(
        'approval-closed',
      );
      expect(await ledgerSize()).toBe(sizeAfter);
    });

    it('ends the request on a rejection, which needs a comment', async () => {
      await seedVersion('churn', '1.0.0', 'medium');
      const { body } = await requestApproval('churn', '1.0.0');
      const rejected = await post(
        `/approvals/${body.id}/decisions`,
        'rob',
        { decision: 'reject', comment: 'fairness gap on age-band' },
        201,
      );
      expect(rejected.body.eventIds).toHaveLength(1);
      const view = await get(`/approvals/${body.id}`, 'regina');
      expect(view.body).toMatchObject({
        status: 'rejected',
        closedBy: 'rob',
        decidedAt: expect.any(String),
        currentStage: null,
        stages: [{ stage: 0, status: 'rejected', by: 'rob', comment: 'fairness gap on age-band' }],
      });
      const size = await ledgerSize();
      const closed = await post(
        `/approvals/${body.id}/decisions`,
        'rita',
        { decision: 'grant' },
        409,
      );
      expect(closed.body.code).toBe('approval-closed');
      expect(await ledgerSize()).toBe(size);
      const list = await get('/approvals?status=rejected&model=churn', 'dave');
      expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([body.id]);
      expect(await inbox('rita')).not.toContain(body.id);
    });

    it('refuses a grant once the evidence changed, and lets a reviewer reject instead', async () => {
      await seedVersion('limits', '1.0.0', 'medium');
      const { body } = await requestApproval('limits', '1.0.0');
      await seed('limits', [
        modelEvaluated({ model: 'limits', version: '1.0.0', verdict: 'fail' }),
      ]);
      const size = await ledgerSize();
      const refused = await post(
        `/approvals/${body.id}/decisions`,
        'rob',
        { decision: 'grant' },
        409,
      );
      expect(refused.body).toMatchObject({
        code: 'evidence-changed',
        requestedEvidenceDigest: expect.any(String),
        currentEvidenceDigest: expect.any(String),
      });
      expect(await approvalStream(body.id)).toHaveLength(1);
      expect(await ledgerSize()).toBe(size);
      await post(
        `/approvals/${body.id}/decisions`,
        'rob',
        { decision: 'reject', comment: 'new failing evaluation' },
        201,
      );
    });

    it('lets exactly one of 20 parallel grants of the same stage through', async () => {
      await seedVersion('pricing', '1.0.0', 'high');
      const { body } = await requestApproval('pricing', '1.0.0');
      const managers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          test.token(`rm-${String(i + 1).padStart(2, '0')}`, ['risk-manager']),
        ),
      );
      const responses = await Promise.all(
        managers.map((token) =>
          test
            .anonymous()
            .post(`${API}/approvals/${body.id}/decisions`)
            .set('Authorization', `Bearer ${token}`)
            .send({ decision: 'grant', stage: 0, comment: 'within appetite' }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(response.body.code).toBe('stage-not-pending');
      }
      const grants = (await approvalStream(body.id)).filter(
        (e) => e.type === 'ApprovalStageGranted',
      );
      expect(grants).toHaveLength(1);
      track(responses.find((r) => r.status === 201) as Response);
      const view = await get(`/approvals/${body.id}`, 'regina');
      expect(view.body).toMatchObject({ currentStage: 1, grantedBy: [grants[0].data.grantedBy] });
    });
  });

  describe('withdrawing', () => {
    it('lets only the requester withdraw a pending request', async () => {
      await seedVersion('fraud', '1.0.0', 'medium');
      const send = () =>
        test
          .anonymous()
          .post(`${API}/models/fraud/versions/1.0.0/approval-requests`)
          .set('Authorization', people.dana)
          .set('Idempotency-Key', 'fraud-1.0.0-request')
          .send({ comment: 'first look' });
      const first = track(await send().expect(201));
      const retry = await send().expect(201);
      expect(retry.body).toEqual(first.body);
      const id = first.body.id as string;
      expect(await approvalStream(id)).toHaveLength(1);

      const size = await ledgerSize();
      expect((await post(`/approvals/${id}/withdrawal`, 'dave', {}, 403)).body.code).toBe(
        'not-the-requester',
      );
      expect((await post(`/approvals/${id}/withdrawal`, 'rob', {}, 403)).body.code).toBe(
        'forbidden',
      );
      expect(
        (await post(`/approvals/${id}/withdrawal`, 'dana', { why: 'x' }, 400)).body.errors,
      ).toHaveProperty('why');
      await post(`/approvals/0195aaaa-0000-7000-8000-000000000000/withdrawal`, 'dana', {}, 404);
      expect(await ledgerSize()).toBe(size);

      await post(
        `/approvals/${id}/withdrawal`,
        'dana',
        { reason: 'new holdout evaluation coming' },
        201,
      );
      const view = await get(`/approvals/${id}`, 'regina');
      expect(view.body).toMatchObject({
        status: 'withdrawn',
        closedBy: 'dana',
        withdrawalReason: 'new holdout evaluation coming',
        currentRole: null,
      });
      expect(await inbox('rob')).not.toContain(id);
      const sizeAfter = await ledgerSize();
      expect((await post(`/approvals/${id}/withdrawal`, 'dana', {}, 409)).body.code).toBe(
        'approval-closed',
      );
      expect(
        (await post(`/approvals/${id}/decisions`, 'rob', { decision: 'grant' }, 409)).body.code,
      ).toBe('approval-closed');
      expect(await ledgerSize()).toBe(sizeAfter);
    });
  });

  describe('listing', () => {
    it('lists oldest first, filters, pages, and answers 404 and 400 for bad reads', async () => {
      const all = await get('/approvals', 'regina');
      const times = (all.body.items as { requestedAt: string }[]).map((item) => item.requestedAt);
      expect(times).toEqual([...times].sort());
      expect(all.body.items.length).toBeGreaterThan(5);
      const page = await get('/approvals?limit=2', 'regina');
      expect(page.body.items).toEqual(all.body.items.slice(0, 2));
      const next = await get(`/approvals?limit=2&after=${page.body.nextCursor}`, 'regina');
      expect(next.body.items).toEqual(all.body.items.slice(2, 4));
      const withdrawn = await get('/approvals?status=withdrawn', 'rob');
      expect(withdrawn.body.items.map((item: { model: string }) => item.model)).toEqual(['fraud']);
      const staging = await get('/approvals?environment=staging', 'rob');
      expect(staging.body.items.map((item: { model: string }) => item.model)).toEqual([
        'scorecard',
      ]);
      await get('/approvals/0195aaaa-0000-7000-8000-000000000000', 'rob', 404);
      await get('/approvals/nope', 'rob', 400);
      expect((await get('/approvals?status=open', 'rob', 400)).body.errors).toHaveProperty(
        'status',
      );
      await test.anonymous().get(`${API}/approvals`).expect(401);
    });

    it('documents every approvals route in OpenAPI', async () => {
      const { body } = await test.anonymous().get('/api/docs-json').expect(200);
      expect(Object.keys(body.paths as object)).toEqual(
        expect.arrayContaining([
          '/api/v1/policies/approval',
          '/api/v1/models/{name}/versions/{version}/approval-requests',
          '/api/v1/approvals',
          '/api/v1/approvals/{id}',
          '/api/v1/approvals/{id}/decisions',
          '/api/v1/approvals/{id}/withdrawal',
        ]),
      );
      expect(Object.keys(body.paths['/api/v1/policies/approval'] as object).sort()).toEqual([
        'get',
        'put',
      ]);
    });
  });
  describe('grant comments under policies and requests recorded before the setting', () => {
    it('requires a comment for high risk by default, keeps old grants without one as history, and honours a policy that opts out', async () => {
      // A policy as recorded before grants could need a comment: the setting is absent.
      const old = (stages: string[], requirePassingEvaluation: boolean) => ({
        stages,
        requirePassingEvaluation,
      });
      last = (
        await seedStream(
          test.eventLog,
          streams.approvalPolicy(),
          [
            {
              type: 'PolicySet',
              data: {
                policy: 'approval',
                tiers: {
                  low: old(['risk-manager'], false),
                  medium: old(['risk-manager'], true),
                  high: old(['risk-manager', 'compliance-officer'], true),
                },
                setBy: 'cora',
                setAt: '2026-01-05T00:00:00.000Z',
              },
            },
          ],
          { sub: 'cora', roles: ['compliance-officer'] },
        )
      ).position;
      const policy = await get('/policies/approval', 'regina');
      expect(policy.body.tiers).toMatchObject({
        low: { requireGrantComment: false },
        medium: { requireGrantComment: false },
        high: { requireGrantComment: true },
      });

      // A request and a grant without a comment recorded before the rule: valid history, and
      // the request, high risk, now needs a comment with its remaining grant.
      await seedVersion('affordability', '1.0.0', 'high');
      const { body: request } = await requestApproval('affordability', '1.0.0');
      const [recorded] = await approvalStream(request.id);
      const { requireGrantComment: _new, ...olderRequest } = recorded.data as Record<
        string,
        unknown
      >;
      const legacyId = '0195bbbb-0000-7000-8000-000000000001';
      last = (
        await seedStream(test.eventLog, streams.approval(legacyId), [
          { type: 'ApprovalRequested', data: { ...olderRequest, approvalId: legacyId } },
          {
            type: 'ApprovalStageGranted',
            data: {
              approvalId: legacyId,
              stage: 0,
              role: 'risk-manager',
              grantedBy: 'rob',
              grantedAt: '2026-01-06T00:00:00.000Z',
              comment: null,
            },
          },
        ])
      ).position;
      const size = await ledgerSize();
      const refused = await post(
        `/approvals/${legacyId}/decisions`,
        'cora',
        { decision: 'grant' },
        422,
      );
      expect(refused.body).toMatchObject({
        code: 'grant-comment-required',
        errors: { comment: [expect.any(String)] },
      });
      expect(await ledgerSize()).toBe(size);
      const approved = await post(
        `/approvals/${legacyId}/decisions`,
        'cora',
        { decision: 'grant', comment: 'stage 0 reviewed before comments were required' },
        201,
      );
      expect(approved.body.eventIds).toHaveLength(2);
      const legacy = await get(`/approvals/${legacyId}`, 'regina');
      expect(legacy.body).toMatchObject({
        status: 'approved',
        stages: [
          { stage: 0, status: 'granted', by: 'rob', comment: null },
          { stage: 1, status: 'granted', by: 'cora' },
        ],
      });
      expect((await get('/ledger/verify', 'regina')).body).toMatchObject({ ok: true });

      // The request made under the default needs a comment for its first stage too.
      await post(`/approvals/${request.id}/decisions`, 'rob', { decision: 'grant' }, 422);

      // A policy may opt a tier out: requests made after it grant without a comment.
      const tiers = {
        low: { stages: ['risk-manager'], requirePassingEvaluation: false },
        medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
        high: {
          stages: ['risk-manager', 'compliance-officer'],
          requirePassingEvaluation: true,
          requireGrantComment: false,
        },
      };
      await put('/policies/approval', 'cora', { tiers }, 200);
      expect((await get('/policies/approval', 'regina')).body.tiers.high).toEqual(tiers.high);
      await seedVersion('affordability', '1.1.0', 'high');
      const { body: relaxed } = await requestApproval('affordability', '1.1.0');
      await post(`/approvals/${relaxed.id}/decisions`, 'rob', { decision: 'grant' }, 201);
      // The earlier request keeps the requirement of the policy it was made under.
      await post(`/approvals/${request.id}/decisions`, 'rob', { decision: 'grant' }, 422);
    });
  });
});
