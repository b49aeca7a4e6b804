import { CommandBus } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ApproveAutomaticallyCommand } from '../../src/approvals/commands/approve-automatically/approve-automatically.command';
import { automaticApprovalHook } from '../../src/approvals/commands/approve-automatically/automatic-approval.hook';
import type { Role } from '../../src/auth/roles';
import { type CommandContext, derivedUuid } from '../../src/ledger/commands/command-context';
import type { WriteResult } from '../../src/ledger/commands/write-result';
import type { RecordedEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import type { RiskTier } from '../../src/model-registry/model.events';
import {
  modelArtifactStored,
  modelEvaluated,
  modelVersionRegistered,
  seedModelEvents,
} from '../support/seed-events';
import { recordServiceRun } from '../support/service-evaluations';
import { binary, flowing, pdfText } from '../support/pdf';
import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';
import { storeKinds } from '../support/test-database';

const API = '/api/v1';

const EVALUATION_TIERS = (lowMinAuc: number) => ({
  low: { minAuc: lowMinAuc, minGroupSize: 20 },
  medium: { minAuc: 0.65, minGroupSize: 50 },
  high: { minAuc: 0.7, maxCalibrationError: 0.05, minGroupSize: 100 },
});

/**
 * The approval gate on service-run evaluations (README, "Governance workflow"): what
 * `requirePassingEvaluation` asks, a low-risk tier with no human stage approved by its passing
 * evaluation (on request, and by ApproveAutomaticallyCommand after a run), and a change of the
 * evaluation policy racing a request.
 */
describe.each(storeKinds())('approval on a passing service-run evaluation (%s)', (kind) => {
  let test: TestApp;
  let last = '';
  /** The evaluation policy version in force: 0 until a test sets one. */
  let policyVersion = 0;
  const people: Record<string, string> = {};
  const cast: Record<string, Role[]> = {
    dana: ['data-scientist'],
    rob: ['risk-manager'],
    cora: ['compliance-officer'],
    regina: ['regulator'],
  };

  beforeAll(async () => {
    test = await startTestApp({ kind });
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
  });
  afterAll(() => test?.close());

  const write = async (method: 'post' | 'put', path: string, as: string, body: object) => {
    const client = test.anonymous();
    const call = method === 'post' ? client.post(`${API}${path}`) : client.put(`${API}${path}`);
    const response = await call.set('Authorization', people[as]).send(body);
    if (response.body?.ledgerPosition) last = response.body.ledgerPosition as string;
    return response;
  };
  const read = async (path: string) =>
    (
      await test
        .anonymous()
        .get(`${API}${path}`)
        .set('Authorization', people.regina)
        .set('X-Ledger-Position', last)
        .expect(200)
    ).body;
  const request = (model: string, version: string, environment = 'production') =>
    write('post', `/models/${model}/versions/${version}/approval-requests`, 'dana', {
      environment,
    });
  const register = async (model: string, version: string, riskTier: RiskTier) => {
    last = (
      await seedModelEvents(test.eventLog, model, [
        modelVersionRegistered({ model, version, riskTier }),
        // Stored, so an approved version can be deployed.
        modelArtifactStored({ model, version }),
      ])
    ).position;
  };
  const serviceRun = async (
    model: string,
    version: string,
    options: { environment?: string; passed?: boolean; policyVersion?: number } = {},
  ) => {
    const { event, appended } = await recordServiceRun(test.eventLog, {
      model,
      version,
      policyVersion: options.policyVersion ?? policyVersion,
      ...options,
    });
    last = appended.position;
    const recorded = (await test.eventLog.readStream(streams.model(model))).find(
      (e) => e.type === 'ModelEvaluated' && e.data.evaluationId === event.data.evaluationId,
    ) as RecordedEvent;
    return { evaluationId: event.data.evaluationId, hash: recorded.metadata.integrity.hash };
  };
  const setEvaluationPolicy = async () => {
    const response = await write('put', '/policies/evaluation', 'cora', {
      tiers: EVALUATION_TIERS(0.5 + (policyVersion + 1) / 100),
    });
    expect(response.status).toBe(200);
    policyVersion += 1;
    return response;
  };
  const setApprovalPolicy = (low: object) =>
    write('put', '/policies/approval', 'cora', {
      tiers: {
        low,
        medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
        high: {
          stages: ['risk-manager', 'compliance-officer'],
          requirePassingEvaluation: true,
        },
      },
    });
  const approvalEvents = (id: string) => test.eventLog.readStream(streams.approval(id));

  describe('what a passing evaluation means', () => {
    it('refuses a request resting on a pipeline pass, a failed run, or another environment’s run, saying which', async () => {
      await register('gate', '1.0.0', 'high');
      last = (
        await seedModelEvents(test.eventLog, 'gate', [
          modelEvaluated({ model: 'gate', version: '1.0.0', verdict: 'pass' }),
        ])
      ).position;
      const size = await test.countEvents();
      const posted = await request('gate', '1.0.0');
      expect(posted.status).toBe(422);
      expect(posted.body).toMatchObject({
        code: 'passing-evaluation-required',
        reason: 'no-service-evaluation',
        detail:
          'the approval policy requires a passing service-run evaluation of high-risk versions for production: gate@1.0.0 has no service-run evaluation (the 1 evaluation the pipeline posted does not count); run one with POST /models/gate/versions/1.0.0/evaluation-runs',
      });

      await serviceRun('gate', '1.0.0', { environment: 'staging' });
      const elsewhere = await request('gate', '1.0.0');
      expect(elsewhere.body).toMatchObject({
        code: 'passing-evaluation-required',
        reason: 'other-environment',
        detail: expect.stringContaining(
          'gate@1.0.0 has service-run evaluations only for staging, none for production',
        ),
      });

      const failed = await serviceRun('gate', '1.0.0', { passed: false });
      const refused = await request('gate', '1.0.0');
      expect(refused.body).toMatchObject({
        code: 'passing-evaluation-required',
        reason: 'evaluation-failed',
        evaluationId: failed.evaluationId,
        detail: expect.stringContaining(
          `the latest service-run evaluation of gate@1.0.0 for production (${failed.evaluationId}) failed under evaluation policy version 0`,
        ),
      });
      // The staging run passed: it approves staging, not production.
      expect((await request('gate', '1.0.0', 'staging')).status).toBe(201);
      expect(await test.countEvents()).toBe(size + 2 + 1);
    });

    it('asks for a run under the evaluation policy in force, and rests the evidence on it', async () => {
      await register('gate', '2.0.0', 'high');
      await serviceRun('gate', '2.0.0');
      await setEvaluationPolicy();
      const stale = await request('gate', '2.0.0');
      expect(stale.status).toBe(422);
      expect(stale.body).toMatchObject({
        code: 'passing-evaluation-required',
        reason: 'outdated-policy-version',
        evaluatedUnderPolicyVersion: 0,
        evaluationPolicyVersion: 1,
        detail: expect.stringContaining(
          'ran under evaluation policy version 0, and the policy is now at version 1; re-run it',
        ),
      });

      const rerun = await serviceRun('gate', '2.0.0');
      const accepted = await request('gate', '2.0.0');
      expect(accepted.status).toBe(201);
      const [requested] = await approvalEvents(accepted.body.id as string);
      expect(requested.data).toMatchObject({
        requirePassingEvaluation: true,
        passingEvaluation: { evaluationId: rerun.evaluationId, policyVersion: 1 },
        evidence: { passingEvaluationEventHash: rerun.hash },
      });
      expect(await read(`/approvals/${accepted.body.id}`)).toMatchObject({
        status: 'pending',
        automatic: false,
        passingEvaluationId: rerun.evaluationId,
        approvedAutomatically: null,
      });
    });
  });

  describe('a low-risk tier with no human stage', () => {
    it('is allowed for low risk only, and only with the evaluation requirement: a 400 naming the setting', async () => {
      const size = await test.countEvents();
      const medium = await write('put', '/policies/approval', 'cora', {
        tiers: {
          low: { stages: ['risk-manager'], requirePassingEvaluation: false },
          medium: { stages: [], requirePassingEvaluation: true },
          high: { stages: ['risk-manager', 'compliance-officer'], requirePassingEvaluation: true },
        },
      });
      expect(medium.status).toBe(400);
      expect(medium.body.errors).toEqual({
        'tiers.medium.stages': [
          'a medium-risk version needs at least one person to approve it: only the low risk tier may have no stage',
        ],
      });
      const unevaluated = await setApprovalPolicy({ stages: [], requirePassingEvaluation: false });
      expect(unevaluated.status).toBe(400);
      expect(Object.keys(unevaluated.body.errors as object)).toEqual(['tiers.low.stages']);
      expect(await test.countEvents()).toBe(size);
    });

    it('approves a low-risk version by its passing service-run evaluation, in the request’s own append', async () => {
      const set = await setApprovalPolicy({
        stages: [],
        requirePassingEvaluation: true,
        environments: { staging: { stages: ['risk-manager'], requirePassingEvaluation: false } },
      });
      expect(set.status).toBe(200);
      await register('scorecard', '1.0.0', 'low');
      const refused = await request('scorecard', '1.0.0');
      expect(refused.body).toMatchObject({ status: 422, code: 'passing-evaluation-required' });

      const run = await serviceRun('scorecard', '1.0.0');
      const approved = await request('scorecard', '1.0.0');
      expect(approved.status).toBe(201);
      expect(approved.body.eventIds).toHaveLength(2);
      const id = approved.body.id as string;
      const [requested, decided] = await approvalEvents(id);
      expect(requested.data).toMatchObject({ riskTier: 'low', stages: [] });
      expect(decided).toMatchObject({
        type: 'ModelVersionApproved',
        data: {
          approvalId: id,
          environment: 'production',
          evidenceDigest: requested.data.evidenceDigest,
          approvers: [],
          automatic: true,
          evaluationId: run.evaluationId,
        },
      });
      // The one append: the two events sit next to each other in the ledger.
      expect(decided.revision).toBe(requested.revision + 1n);
      const view = await read(`/approvals/${id}`);
      expect(view).toMatchObject({
        status: 'approved',
        stages: [],
        grantedBy: [],
        automatic: true,
        passingEvaluationId: run.evaluationId,
        approvedAutomatically: `approved automatically by a passing service-run evaluation ${run.evaluationId}`,
      });
      const listed = await read('/approvals?model=scorecard');
      expect(listed.items).toEqual([expect.objectContaining({ id, automatic: true })]);

      // Deployable to production on that approval, like any other.
      const deployer = `Bearer ${await test.token('rick', ['risk-manager'])}`;
      const deployed = await test
        .anonymous()
        .post(`${API}/deployments`)
        .set('Authorization', deployer)
        .send({
          model: 'scorecard',
          version: '1.0.0',
          environment: 'production',
          strategy: 'full',
          approvalId: id,
        });
      expect({ status: deployed.status, body: deployed.body }).toMatchObject({ status: 201 });

      // Where approvals are listed for regulators: named as automatic, never an empty list.
      const today = new Date().toISOString().slice(0, 10);
      last = deployed.body.ledgerPosition as string;
      const asic = await read(
        `/compliance/reports/asic-model-governance?from=2026-11-01&to=${today}&model=scorecard`,
      );
      expect(asic.accountability).toEqual([
        expect.objectContaining({
          model: 'scorecard',
          version: '1.0.0',
          approvals: [
            {
              environment: 'production',
              status: 'approved',
              approvers: [],
              automatic: true,
              evaluationId: run.evaluationId,
            },
          ],
        }),
      ]);
      const admRegister = await read(`/compliance/adm-register?from=2026-11-01&to=${today}`);
      const entry = admRegister.entries.find((e: { model: string }) => e.model === 'scorecard') as {
        approvals: unknown[];
      };
      expect(entry.approvals).toEqual([
        expect.objectContaining({
          approvalId: id,
          approvers: [],
          automatic: true,
          approvedBy: `Automatic (low risk, passing evaluation ${run.evaluationId})`,
        }),
      ]);

      // Staging keeps a person (and asks no evaluation): nothing approves it there by itself.
      const staging = await request('scorecard', '1.0.0', 'staging');
      expect(staging.status).toBe(201);
      expect(await read(`/approvals/${staging.body.id}`)).toMatchObject({
        status: 'pending',
        automatic: false,
      });
    });
  });

  describe('ApproveAutomaticallyCommand, sent after a passing run', () => {
    const context = (): CommandContext => {
      const id = uuidv7();
      return {
        actor: { sub: 'attest:evaluation-run', roles: [] },
        now: new Date().toISOString(),
        correlationId: id,
        commandId: id,
      };
    };
    const approve = (input: ApproveAutomaticallyCommand['input']) =>
      test.app
        .get(CommandBus)
        .execute<ApproveAutomaticallyCommand, WriteResult | null>(
          new ApproveAutomaticallyCommand(input, context()),
        );

    it('approves a low-risk version whose tier has no stage, once', async () => {
      await register('auto', '1.0.0', 'low');
      const run = await serviceRun('auto', '1.0.0');
      const input = {
        model: 'auto',
        version: '1.0.0',
        environment: 'production',
        evaluationId: run.evaluationId,
      };
      const result = await approve(input);
      expect(result).toEqual({
        id: expect.any(String),
        ledgerPosition: expect.any(String),
        eventIds: [expect.any(String), expect.any(String)],
      });
      last = (result as WriteResult).ledgerPosition;
      const events = await approvalEvents((result as WriteResult).id);
      expect(events.map((e) => e.type)).toEqual(['ApprovalRequested', 'ModelVersionApproved']);
      expect(events[0].data).toMatchObject({ requestedBy: 'attest:evaluation-run', stages: [] });
      expect(events[1].data).toMatchObject({ automatic: true, evaluationId: run.evaluationId });

      // Sent again (the same run, or a later one): already approved, nothing more.
      const size = await test.countEvents();
      expect(await approve(input)).toBeNull();
      const later = await serviceRun('auto', '1.0.0');
      expect(await approve({ ...input, evaluationId: later.evaluationId })).toBeNull();
      expect(await test.countEvents()).toBe(size + 1);
    });

    it('runs as the evaluation runner’s passed hook, under the run’s context', async () => {
      await setApprovalPolicy({
        stages: [],
        requirePassingEvaluation: true,
        environments: { staging: { stages: ['risk-manager'], requirePassingEvaluation: false } },
      });
      await register('hooked', '1.0.0', 'low');
      const run = await serviceRun('hooked', '1.0.0');
      const hook = automaticApprovalHook(test.app.get(CommandBus));
      const runContext = { ...context(), actor: { sub: 'dana', roles: ['data-scientist'] } };
      await hook({
        runId: run.evaluationId,
        model: 'hooked',
        version: '1.0.0',
        environment: 'production',
        evaluationId: run.evaluationId,
        ledgerPosition: last,
        requestedBy: 'dana',
        context: runContext,
      });
      // One approval per evaluation: its id is derived from the run's version, environment and evaluation.
      const approvalId = derivedUuid(
        'automatic-approval',
        'hooked',
        '1.0.0',
        'production',
        run.evaluationId,
      );
      const [requested, approved] = await approvalEvents(approvalId);
      expect(requested.data).toMatchObject({ requestedBy: 'dana', stages: [] });
      expect(approved.data).toMatchObject({
        automatic: true,
        evaluationId: run.evaluationId,
        approvers: [],
      });
    });

    it('does nothing for medium or high risk, a tier with stages, or a failed or stale run', async () => {
      await register('manual', '1.0.0', 'medium');
      await register('manual', '2.0.0', 'high');
      await register('manual', '3.0.0', 'low');
      const medium = await serviceRun('manual', '1.0.0');
      const high = await serviceRun('manual', '2.0.0');
      const staging = await serviceRun('manual', '3.0.0', { environment: 'staging' });
      const failed = await serviceRun('manual', '3.0.0', { passed: false });
      const stale = await serviceRun('manual', '3.0.0', { policyVersion: policyVersion - 1 });
      const size = await test.countEvents();
      const at = (version: string, evaluationId: string, environment = 'production') =>
        approve({ model: 'manual', version, environment, evaluationId });
      expect(await at('1.0.0', medium.evaluationId)).toBeNull();
      expect(await at('2.0.0', high.evaluationId)).toBeNull();
      expect(await at('3.0.0', staging.evaluationId, 'staging')).toBeNull();
      expect(await at('3.0.0', failed.evaluationId)).toBeNull();
      expect(await at('3.0.0', stale.evaluationId)).toBeNull();
      expect(await at('9.9.9', failed.evaluationId)).toBeNull();
      expect(await test.countEvents()).toBe(size);
    });

    it('does nothing while a person’s request for the version is open there', async () => {
      await setApprovalPolicy({ stages: ['risk-manager'], requirePassingEvaluation: true });
      await register('open', '1.0.0', 'low');
      const run = await serviceRun('open', '1.0.0');
      const pending = await request('open', '1.0.0');
      expect(pending.status).toBe(201);
      await setApprovalPolicy({ stages: [], requirePassingEvaluation: true });
      await read(`/approvals/${pending.body.id}`);
      const size = await test.countEvents();
      expect(
        await approve({
          model: 'open',
          version: '1.0.0',
          environment: 'production',
          evaluationId: run.evaluationId,
        }),
      ).toBeNull();
      expect(await test.countEvents()).toBe(size);
    });
  });

  it('an evaluation policy change racing a request: no request relies on a run under a policy no longer in force', async () => {
    const ROUNDS = 12;
    let won = 0;
    let lost = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const version = `1.0.${round}`;
      await register('race', version, 'high');
      await serviceRun('race', version);
      const changedTo = policyVersion + 1;
      const [asked, changed] = await Promise.all([
        request('race', version),
        write('put', '/policies/evaluation', 'cora', {
          tiers: EVALUATION_TIERS(0.5 + changedTo / 100),
        }),
      ]);
      expect(changed.status).toBe(200);
      policyVersion = changedTo;
      const policyEvents = await test.eventLog.readStream(streams.evaluationPolicy());
      const change = policyEvents.find((e) => e.data.version === changedTo) as RecordedEvent;
      if (asked.status === 201) {
        won++;
        const [requested] = await approvalEvents(asked.body.id as string);
        expect(requested.data).toMatchObject({
          passingEvaluation: { policyVersion: changedTo - 1 },
        });
        // It was decided under the policy before the change, and landed before it.
        expect(test.eventLog.comparePositions(requested.position, change.position)).toBeLessThan(0);
      } else {
        lost++;
        expect(asked.body).toMatchObject({
          status: 422,
          code: 'passing-evaluation-required',
          reason: 'outdated-policy-version',
          evaluationPolicyVersion: changedTo,
        });
      }
    }
    expect(won + lost).toBe(ROUNDS);
  });
});

describe('the audit pack of an automatically approved version', () => {
  let test: TestApp;
  afterAll(() => test?.close());

  it('prints the approval as automatic, naming the passing evaluation, not an empty stage list', async () => {
    test = await startTestApp();
    await seedSampleHistory(test, '-auto');
    const carol = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    const policy = await test
      .anonymous()
      .put(`${API}/policies/approval`)
      .set('Authorization', carol)
      .send({
        tiers: {
          low: { stages: [], requirePassingEvaluation: true },
          medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
          high: { stages: ['risk-manager', 'compliance-officer'], requirePassingEvaluation: true },
        },
      });
    expect(policy.status).toBe(200);
    const { event } = await recordServiceRun(test.eventLog, {
      model: 'scorer-auto',
      version: '1.0.0',
      datasetVersion: {
        name: 'loans-auto',
        version: 'v1',
        contentHash: `sha256:${'a'.repeat(64)}`,
      },
    });
    const id = uuidv7();
    const approved = await test.app
      .get(CommandBus)
      .execute<ApproveAutomaticallyCommand, WriteResult | null>(
        new ApproveAutomaticallyCommand(
          {
            model: 'scorer-auto',
            version: '1.0.0',
            environment: 'production',
            evaluationId: event.data.evaluationId,
          },
          {
            actor: { sub: 'attest:evaluation-run', roles: [] },
            now: new Date().toISOString(),
            correlationId: id,
            commandId: id,
          },
        ),
      );
    expect(approved?.eventIds).toHaveLength(2);
    const pack = await test
      .anonymous()
      .get(`${API}/models/scorer-auto/versions/1.0.0/audit-pack`)
      .set('Authorization', carol)
      .set('X-Ledger-Position', (approved as WriteResult).ledgerPosition)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const text = flowing((await pdfText(pack.body as Buffer)).text);
    const approvals = text.slice(text.indexOf('6. Approvals'), text.indexOf('7. Deployments'));
    expect(approvals).toContain('production · approved');
    expect(approvals.replace(/\s+/g, '')).toContain(
      `Automatic(lowrisk,passingevaluation${event.data.evaluationId})`,
    );
  });
});
