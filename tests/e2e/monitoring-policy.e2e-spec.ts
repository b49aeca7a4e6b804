import type { Role } from '../../src/auth/roles';
import { DEFAULT_MONITORING_RULES } from '../../src/monitoring/monitoring-policy';
import { MonitoringPolicies } from '../../src/monitoring/monitoring-policies';
import { deploymentSeeds } from '../support/deployment-seeds';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';

describe('the monitoring policy over HTTP', () => {
  let test: TestApp;
  const people: Record<string, string> = {};
  const cast: Record<string, Role[]> = {
    ann: ['admin'],
    cora: ['compliance-officer'],
    regina: ['regulator'],
    pipe: ['pipeline'],
    scorer: ['scoring'],
  };

  beforeAll(async () => {
    test = await startTestApp();
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
  });
  afterAll(() => test?.close());

  const put = (as: string, body: object, expected: number) =>
    test
      .anonymous()
      .put(`${API}/policies/monitoring`)
      .set('Authorization', people[as])
      .send(body)
      .expect(expected);
  const get = (as: string, expected = 200) =>
    test
      .anonymous()
      .get(`${API}/policies/monitoring`)
      .set('Authorization', people[as])
      .expect(expected);

  const policy = {
    default: { psi: { warn: 0.12 }, window: { batches: 3 } },
    tiers: { high: { onBreach: { rollback: true } } },
    models: { 'credit-risk': { retrainEveryDays: 30, performance: { minOutcomes: 500 } } },
  };

  it('answers the built-in rules before any policy is set', async () => {
    const { body } = await get('regina');
    expect(body).toEqual({
      id: 'monitoring',
      builtIn: DEFAULT_MONITORING_RULES,
      default: {},
      tiers: {},
      models: {},
      version: 0,
      isDefault: true,
      setBy: null,
      setAt: null,
    });
  });

  it('lets an admin set it, versioned; the same policy again records nothing', async () => {
    const first = await put('ann', policy, 200);
    expect(first.body).toMatchObject({ id: 'monitoring', eventIds: [expect.any(String)] });
    const again = await put('ann', policy, 200);
    expect(again.body.eventIds).toEqual([]);
    const { body } = await get('cora');
    expect(body).toMatchObject({ ...policy, version: 1, isDefault: false, setBy: 'ann' });
  });

  it('gives the effective rules of a model: default, then its tier, then its own', async () => {
    await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.0.0');
    const rules = await test.app.get(MonitoringPolicies).effectiveFor('credit-risk');
    expect(rules).toEqual({
      psi: { warn: 0.12, alert: 0.25, minCount: 200 },
      window: { batches: 3 },
      performance: { maxAucDrop: 0.05, maxAccuracyDrop: 0.05, minOutcomes: 500 },
      onBreach: { rollback: true, retrain: false },
      retrainEveryDays: 30,
    });
  });

  it('refuses a bad policy naming each field, and records nothing', async () => {
    const before = await test.countEvents();
    const { body } = await put(
      'ann',
      {
        default: { psi: { warn: 0.3, alert: 0.2 } },
        tiers: { critical: {} },
        models: { 'credit-risk': { window: { batches: 0 } } },
      },
      400,
    );
    expect(Object.keys(body.errors).sort()).toEqual([
      'models.credit-risk.window.batches',
      'tiers.critical',
    ]);
    const warn = await put('ann', { default: { psi: { warn: 0.3, alert: 0.2 } } }, 400);
    expect(warn.body.errors).toEqual({
      'default.psi.warn': [expect.stringContaining('below psi.alert')],
    });
    await put('ann', { default: 'strict' }, 400);
    await put('ann', { thresholds: {} }, 400);
    expect(await test.countEvents()).toBe(before);
  });

  it('is written by admins and compliance officers (docs/design.md §7) and read by every reading role', async () => {
    await put('cora', policy, 200);
    await put('pipe', policy, 403);
    await put('regina', policy, 403);
    await get('pipe');
    await get('scorer', 403);
  });
});
