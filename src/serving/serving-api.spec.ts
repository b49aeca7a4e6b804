import { createHmac } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json';
import { InvalidRequest } from '../ledger/ledger.errors';
import { canaryArm, routingBucket } from './canary';
import type { ServedModel } from './served-model';
import { MAX_ROWS, buildReceipt, validateRows } from './serving-api';
import { FreshReads, innerEdges, negativeLabel } from './serving-resolver';

const PEPPER = 'a-test-pepper-of-at-least-32-characters';

const model: ServedModel = {
  deploymentId: 'credit-risk.production',
  model: 'credit-risk',
  environment: 'production',
  version: '1.4.0',
  arm: 'canary',
  artifactDigest: `sha256:${'ab'.repeat(32)}`,
  scoring: {
    artifactPath: '/store/ab',
    inputs: [],
    scoreOutput: 'probability',
    columns: { features: ['income', 'age'], band: 'band' },
  },
  threshold: 0.4,
  labels: { positive: 'yes', negative: 'no' },
  evaluationId: '0190f1a2-0000-7000-8000-000000000001',
  features: [
    { name: 'income', kind: 'numeric', integer: false },
    { name: 'age', kind: 'numeric', integer: true },
    { name: 'band', kind: 'text', integer: false },
  ],
  binning: {
    source: 'evaluation',
    sourceId: '0190f1a2-0000-7000-8000-000000000001',
    score: [0.2, 0.4, 0.6, 0.8],
    numeric: { income: [30, 60, 90], age: [30, 50] },
    categorical: { band: ['a', 'b'] },
  },
};

const refusal = (rows: unknown): Record<string, string[]> => {
  try {
    validateRows(model, rows);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as InvalidRequest).status).toBe(400);
    return (error as InvalidRequest).fields;
  }
  throw new Error('accepted');
};

describe('canary routing by request id', () => {
  it('sends the canary its share of 10,000 request ids, within 4σ of the binomial', () => {
    for (const percent of [1, 10, 50, 90]) {
      const n = 10_000;
      let canary = 0;
      for (let i = 0; i < n; i++) if (canaryArm(`request-${i}`, percent) === 'canary') canary++;
      const p = percent / 100;
      const sigma = Math.sqrt(n * p * (1 - p));
      expect({ percent, off: Math.abs(canary - n * p) < 4 * sigma }).toEqual({
        percent,
        off: true,
      });
    }
  });

  it('spreads ids evenly over the hundred buckets (χ², 99 degrees of freedom)', () => {
    const counts = new Array<number>(100).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[routingBucket(`loan-${i}`)]++;
    const expected = n / 100;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // The 99.99th percentile of χ²(99) is about 161.
    expect(chi2).toBeLessThan(161);
  });

  it('always puts the same id on the same arm, and a wider canary keeps the ids it had', () => {
    for (let i = 0; i < 1000; i++) {
      const id = `r-${i}`;
      expect(canaryArm(id, 20)).toBe(canaryArm(id, 20));
      if (canaryArm(id, 20) === 'canary') expect(canaryArm(id, 50)).toBe('canary');
    }
  });
});

describe('validateRows', () => {
  const row = { income: 52.5, age: 41, band: 'a' };

  it('accepts rows carrying every feature with its type', () => {
    expect(() => validateRows(model, [row, { ...row, band: 'zz' }])).not.toThrow();
  });

  it.each([
    [
      'an unknown feature',
      [{ ...row, zip: '2000' }],
      { 'rows.0.zip': ['not a feature of this model'] },
    ],
    ['a missing feature', [row, { income: 1, band: 'a' }], { 'rows.1.age': ['missing'] }],
    [
      'a string for a number',
      [{ ...row, income: '52' }],
      { 'rows.0.income': ['must be a number'] },
    ],
    ['a number for text', [{ ...row, band: 3 }], { 'rows.0.band': ['must be a string'] }],
    ['NaN', [{ ...row, income: NaN }], { 'rows.0.income': ['must be a finite number'] }],
    ['Infinity', [{ ...row, income: -Infinity }], { 'rows.0.income': ['must be a finite number'] }],
    [
      'a fraction for an integer input',
      [{ ...row, age: 41.5 }],
      { 'rows.0.age': ['must be a whole number'] },
    ],
    ['null', [{ ...row, age: null }], { 'rows.0.age': ['must be a number'] }],
    ['a row that is an array', [[1, 2]], { 'rows.0': ['must be an object of named features'] }],
  ])('refuses %s naming rows.<i>.<feature>', (_case, rows, fields) => {
    expect(refusal(rows)).toEqual(fields);
  });

  it.each([
    ['no rows', []],
    ['too many rows', Array.from({ length: MAX_ROWS + 1 }, () => row)],
    ['an object', row],
    ['nothing', undefined],
  ])('refuses %s naming rows', (_case, rows) => {
    expect(Object.keys(refusal(rows))).toEqual(['rows']);
  });

  it('never repeats a value in its messages', () => {
    const fields = refusal([{ ...row, income: 'Jane Citizen, 12 Main St' }]);
    expect(JSON.stringify(fields)).not.toContain('Jane');
  });

  it('takes JSON booleans or true/false/1/0 for a bool input, and nothing else', () => {
    const withFlag: ServedModel = {
      ...model,
      scoring: {
        ...model.scoring,
        inputs: [{ name: 'flag', kind: 'tensor', elementType: 'bool', shape: ['N'] }],
        columns: { ...model.scoring.columns, flag: 'owns_home' },
      },
      features: [...model.features, { name: 'owns_home', kind: 'text', integer: false }],
    };
    const rows = [true, false, 'TRUE', ' 0 '].map((owns_home) => ({ ...row, owns_home }));
    expect(() => validateRows(withFlag, rows)).not.toThrow();
    expect(() => validateRows(withFlag, [{ ...row, owns_home: 'maybe' }])).toThrow(InvalidRequest);
    let fields: unknown;
    try {
      validateRows(withFlag, [{ ...row, owns_home: 2 }]);
    } catch (error) {
      fields = (error as InvalidRequest).fields;
    }
    expect(fields).toEqual({ 'rows.0.owns_home': ['must be true or false'] });
  });

  it('a prototype key is a feature name like any other', () => {
    expect(refusal([{ ...row, constructor: 1 }])).toEqual({
      'rows.0.constructor': ['not a feature of this model'],
    });
  });
});

describe('buildReceipt', () => {
  const row = { income: 75, age: 41, band: 'c' };
  const built = buildReceipt({
    model,
    row,
    score: 0.55,
    requestId: 'app-1',
    subjectRef: ' customer-88412 ',
    latencyMs: 1.5,
    pepper: PEPPER,
    onnxruntimeVersion: '1.23.2',
    scoredAt: '2026-12-03T00:00:00.000Z',
  });

  it('keeps the inputs and the subject only as HMACs under the pepper', () => {
    const hmac = (text: string) =>
      `hmac-sha256:${createHmac('sha256', PEPPER).update(text).digest('hex')}`;
    expect(built.receipt.inputDigest).toBe(hmac(canonicalJson(row)));
    expect(built.receipt.subjectRef).toBe(hmac('customer-88412'));
    expect(JSON.stringify(built)).not.toContain('customer-88412');
    expect(JSON.stringify(built.receipt)).not.toContain('"income"');
  });

  it('decides at the threshold and labels the decision', () => {
    expect(built.receipt).toMatchObject({
      receiptId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      deploymentId: 'credit-risk.production',
      version: '1.4.0',
      arm: 'canary',
      artifactDigest: model.artifactDigest,
      onnxruntimeVersion: '1.23.2',
      outputs: { score: 0.55 },
      threshold: 0.4,
      decision: 'positive',
      label: 'yes',
      requestId: 'app-1',
      scoredAt: '2026-12-03T00:00:00.000Z',
    });
    const low = buildReceipt({ ...baseInput(), score: 0.39999 });
    expect(low.receipt).toMatchObject({ decision: 'negative', label: 'no', subjectRef: null });
    expect(buildReceipt({ ...baseInput(), score: 0.4 }).receipt.decision).toBe('positive');
  });

  it('bins the score and each feature against the version baseline, never keeping values', () => {
    expect(built.summary).toEqual({
      latencyMs: 1.5,
      scoreBin: 2,
      featureBins: { income: 2, age: 1, band: 2 },
      binning: model.binning,
    });
  });

  function baseInput() {
    return {
      model,
      row,
      score: 0.5,
      requestId: 'app-2',
      subjectRef: null,
      latencyMs: 1,
      pepper: PEPPER,
      onnxruntimeVersion: '1.23.2',
    };
  }
});

describe('serving defaults', () => {
  it('pairs the usual positive labels with their negatives, else not-<positive>', () => {
    expect(negativeLabel('1')).toBe('0');
    expect(negativeLabel('true')).toBe('false');
    expect(negativeLabel('yes')).toBe('no');
    expect(negativeLabel('default')).toBe('not-default');
    expect(negativeLabel('constructor')).toBe('not-constructor');
  });

  it('takes the nine inner deciles as edges, ascending and distinct', () => {
    expect(innerEdges([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(innerEdges([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3])).toEqual([0, 1, 2]);
    expect(innerEdges(null)).toEqual([]);
  });
});

describe('FreshReads (the resolver reads a deployment once for the requests arriving together)', () => {
  it('never answers a caller with a read that began before it arrived, and shares the next one', async () => {
    let version = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const reads = new FreshReads(async () => {
      // What the read sees is the state when it starts.
      const seen = version;
      started.push(seen);
      await new Promise<void>((resolve) => gates.push(resolve));
      return seen;
    });
    const first = reads.next();
    version = 1; // a deploy commits while the first read runs
    const second = reads.next();
    const third = reads.next();
    expect(started).toEqual([0]);
    gates.shift()!();
    expect(await first).toBe(0);
    // The second and third callers share one read, begun after they arrived.
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates.shift()!();
    expect([await second, await third]).toEqual([1, 1]);
    // Idle again: the next caller starts its own read.
    version = 2;
    const fourth = reads.next();
    gates.shift()!();
    expect(await fourth).toBe(2);
    expect(started).toEqual([0, 1, 2]);
  });

  it('a failed read fails its callers only; the next caller reads again', async () => {
    let fail = true;
    const reads = new FreshReads(async () => {
      if (fail) throw new Error('database down');
      return 'ok';
    });
    await expect(reads.next()).rejects.toThrow('database down');
    fail = false;
    await expect(reads.next()).resolves.toBe('ok');
  });
});
