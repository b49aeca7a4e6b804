import type { Role } from '../../src/auth/roles';
import { DEFAULT_EVALUATION_POLICY } from '../../src/evaluation/evaluation-policy';
import { streams } from '../../src/ledger/stream-names';
import { modelVersionRegistered, seedModelEvents } from '../support/seed-events';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';

describe('the evaluation policy over HTTP', () => {
  let test: TestApp;
  let last: string | undefined;
  const people: Record<string, string> = {};
  const cast: Record<string, Role[]> = {
    cora: ['compliance-officer'],
    ann: ['admin'],
    dave: ['data-scientist'],
    dana: ['data-scientist'],
    rob: ['risk-manager'],
    regina: ['regulator'],
    pipe: ['pipeline'],
  };

  beforeAll(async () => {
    test = await startTestApp();
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
  });
  afterAll(() => test?.close());

  const put = async (as: string, body: object, expected: number) => {
    const response = await test
      .anonymous()
      .put(`${API}/policies/evaluation`)
      .set('Authorization', people[as])
      .send(body)
      .expect(expected);
    if (response.body?.ledgerPosition) last = response.body.ledgerPosition as string;
    return response;
  };

  const get = (as: string) => {
    const request = test
      .anonymous()
      .get(`${API}/policies/evaluation`)
      .set('Authorization', people[as]);
    return (last ? request.set('X-Ledger-Position', last) : request).expect(200);
  };

  const tiers = {
    low: { minAuc: 0.55, minGroupSize: 20 },
    medium: { minAuc: 0.65, maxAucDrop: 0.02, maxCalibrationError: 0.08, minGroupSize: 50 },
    high: {
      minAuc: 0.75,
      maxAucDrop: 0.01,
      maxCalibrationError: 0.05,
      minDemographicParityRatio: 0.8,
      maxDemographicParityDifference: 0.1,
      minEqualizedOddsRatio: 0.8,
      maxEqualizedOddsDifference: 0.1,
      maxEqualOpportunityDifference: 0.1,
      minGroupSize: 100,
      environments: { staging: { minAuc: 0.7, minEqualizedOddsRatio: null } },
    },
  };

  it('is the default, version 0, until set; every role may read it', async () => {
    for (const who of Object.keys(cast)) {
      expect((await get(who)).body).toEqual({
        id: 'evaluation',
        version: 0,
        isDefault: true,
        setBy: null,
        setAt: null,
        tiers: DEFAULT_EVALUATION_POLICY,
      });
    }
  });

  it('refuses other roles and invalid values, naming the field, and records nothing', async () => {
    const size = await test.countEvents();
    for (const who of ['regina', 'dave', 'rob', 'pipe']) {
      const refused = await put(who, { tiers }, 403);
      expect(refused.body).toMatchObject({ code: 'forbidden' });
    }
    const invalid: [object, string][] = [
      [{ tiers: { ...tiers, high: { ...tiers.high, minAuc: 0.4 } } }, 'tiers.high.minAuc'],
      [{ tiers: { ...tiers, high: { ...tiers.high, minAuc: 1.2 } } }, 'tiers.high.minAuc'],
      [{ tiers: { ...tiers, low: { minGroupSize: 20 } } }, 'tiers.low.minAuc'],
      [
        { tiers: { ...tiers, medium: { ...tiers.medium, maxAucDrop: -0.01 } } },
        'tiers.medium.maxAucDrop',
      ],
      [
        { tiers: { ...tiers, low: { ...tiers.low, minDemographicParityRatio: 1.2 } } },
        'tiers.low.minDemographicParityRatio',
      ],
      [
        { tiers: { ...tiers, low: { ...tiers.low, maxEqualOpportunityDifference: 2 } } },
        'tiers.low.maxEqualOpportunityDifference',
      ],
      [
        { tiers: { ...tiers, low: { ...tiers.low, maxCalibrationError: null } } },
        'tiers.low.maxCalibrationError',
      ],
      [{ tiers: { ...tiers, low: { ...tiers.low, minGroupSize: 0 } } }, 'tiers.low.minGroupSize'],
      [
        { tiers: { ...tiers, low: { ...tiers.low, minGroupSize: 10.5 } } },
        'tiers.low.minGroupSize',
      ],
      [{ tiers: { ...tiers, low: { ...tiers.low, quorum: 2 } } }, 'tiers.low.quorum'],
      [{ tiers: { low: tiers.low, medium: tiers.medium } }, 'tiers.high'],
      [
        {
          tiers: { ...tiers, high: { ...tiers.high, environments: { staging: { minAuc: 0.2 } } } },
        },
        'tiers.high.environments.staging.minAuc',
      ],
      [
        {
          tiers: {
            ...tiers,
            high: { ...tiers.high, environments: { staging: { maxAucDrop: 1.5 } } },
          },
        },
        'tiers.high.environments.staging.maxAucDrop',
      ],
      [
        {
          tiers: { ...tiers, high: { ...tiers.high, environments: { Prod: { minAuc: 0.8 } } } },
        },
        'tiers.high.environments',
      ],
      [{ tiers: { ...tiers, high: { ...tiers.high, environments: 'staging' } } }, 'tiers.high'],
    ];
    for (const [body, field] of invalid) {
      const refused = await put('cora', body, 400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'invalid-request' });
      expect(Object.keys(refused.body.errors as object)).toContainEqual(
        expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}`)),
      );
    }
    expect(await test.countEvents()).toBe(size);
  });

  it('records each change as a new version, shown with who set it; the same policy is a no-op', async () => {
    const set = await put('cora', { tiers }, 200);
    expect(set.body).toEqual({
      id: 'evaluation',
      ledgerPosition: expect.any(String),
      eventIds: [expect.any(String)],
    });
    const current = await get('regina');
    expect(current.body).toEqual({
      id: 'evaluation',
      version: 1,
      isDefault: false,
      setBy: 'cora',
      setAt: expect.any(String),
      tiers,
    });

    const again = await put('ann', { tiers }, 200);
    expect(again.body).toEqual({ ...set.body, eventIds: [] });

    const stricter = { ...tiers, low: { ...tiers.low, minAuc: 0.6 } };
    await put('ann', { tiers: stricter }, 200);
    expect((await get('dave')).body).toMatchObject({ version: 2, setBy: 'ann', tiers: stricter });

    const recorded = await test.eventLog.readStream(streams.evaluationPolicy());
    expect(
      recorded.map((event) => [event.type, (event.data as { version: number }).version]),
    ).toEqual([
      ['EvaluationPolicySet', 1],
      ['EvaluationPolicySet', 2],
    ]);
  });

  describe('the approval policy per environment', () => {
    const write = async (
      method: 'put' | 'post',
      path: string,
      as: string,
      body: object,
      expected: number,
    ) => {
      const agent = test.anonymous();
      const response = await (
        method === 'put' ? agent.put(`${API}${path}`) : agent.post(`${API}${path}`)
      )
        .set('Authorization', people[as])
        .send(body)
        .expect(expected);
      if (response.body?.ledgerPosition) last = response.body.ledgerPosition as string;
      return response;
    };
    const read = (path: string) =>
      test
        .anonymous()
        .get(`${API}${path}`)
        .set('Authorization', people.regina)
        .set('X-Ledger-Position', last ?? '0')
        .expect(200);

    const approvalTiers = {
      low: { stages: ['risk-manager'], requirePassingEvaluation: false },
      medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
      high: {
        stages: ['risk-manager', 'compliance-officer'],
        requirePassingEvaluation: true,
        environments: {
          staging: { stages: ['risk-manager'], requirePassingEvaluation: false },
        },
      },
    };

    it('refuses a bad override with a 400 naming it, and records nothing', async () => {
      const size = await test.countEvents();
      const bad: [object, string][] = [
        [{ staging: { stages: ['regulator'] } }, 'tiers.high.environments.staging.stages'],
        [
          { staging: { requireGrantComment: 'yes' } },
          'tiers.high.environments.staging.requireGrantComment',
        ],
        [{ staging: { quorum: 2 } }, 'tiers.high.environments.staging.quorum'],
        [{ 'Pre Prod': { stages: ['risk-manager'] } }, 'tiers.high.environments'],
      ];
      for (const [environments, field] of bad) {
        const body = {
          tiers: { ...approvalTiers, high: { ...approvalTiers.high, environments } },
        };
        const refused = await write('put', '/policies/approval', 'cora', body, 400);
        expect(refused.body).toMatchObject({ code: 'invalid-request' });
        expect(Object.keys(refused.body.errors as object)).toEqual([field]);
      }
      expect(await test.countEvents()).toBe(size);
    });

    it('gives a request in an overridden environment that environment’s stages', async () => {
      await write('put', '/policies/approval', 'cora', { tiers: approvalTiers }, 200);
      expect((await read('/policies/approval')).body.tiers.high).toEqual({
        ...approvalTiers.high,
        requireGrantComment: true,
      });
      // A high-risk version with no evaluation at all.
      last = (
        await seedModelEvents(test.eventLog, 'limits', [
          modelVersionRegistered({ model: 'limits', version: '2.0.0', riskTier: 'high' }),
        ])
      ).position;
      const path = '/models/limits/versions/2.0.0/approval-requests';
      const staging = await write('post', path, 'dana', { environment: 'staging' }, 201);
      expect((await read(`/approvals/${staging.body.id}`)).body).toMatchObject({
        environment: 'staging',
        riskTier: 'high',
        requirePassingEvaluation: false,
        stages: [{ stage: 0, role: 'risk-manager', status: 'pending' }],
      });
      // Production keeps the tier's rules: a passing evaluation is required.
      const production = await write('post', path, 'dana', { environment: 'production' }, 422);
      expect(production.body).toMatchObject({ code: 'passing-evaluation-required' });
    });
  });
});
