import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ReceiptOutcomes } from '../../src/receipts/outcomes/receipt-outcomes';
import { ReceiptSealer } from '../../src/receipts/receipt-sealer';
import { ReceiptWriter } from '../../src/receipts/receipt-writer';
import type { ReceiptProof } from '../../src/receipts/receipt-proofs';
import { runScript } from '../support/cli';
import { seedDeployment, testReceipt } from '../support/receipts';
import { TestApp, startTestApp } from '../support/test-app';

/** `npm run verify -- <file>`: a separate process with no service, on a saved answer. */
async function verify(dir: string, name: string, proof: unknown) {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(proof));
  return runScript('src/cli/verify.ts', {}, [file]);
}

describe('GET /receipts/{id} and the offline verifier', () => {
  let test: TestApp;
  let dir: string;
  let scoring: string;
  const written = Array.from({ length: 5 }, (_, i) => testReceipt(i));
  const waiting = testReceipt(99);

  beforeAll(async () => {
    test = await startTestApp({ env: { SEAL_EVERY_RECEIPTS: '0', SEAL_INTERVAL_MS: '0' } });
    scoring = `Bearer ${await test.token('loan-origination', ['scoring'])}`;
    dir = await mkdtemp(join(tmpdir(), 'attest-receipts-'));
    await seedDeployment(test.eventLog);
    const writer = test.app.get(ReceiptWriter);
    await Promise.all(written.map((receipt) => writer.write([receipt])));
    await test.app.get(ReceiptSealer).seal({ all: true });
    await writer.write([waiting]);
  });
  afterAll(async () => {
    await test?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = (id: string, authorization = scoring) =>
    test.anonymous().get(`/api/v1/receipts/${id}`).set('Authorization', authorization);

  it('hands the scoring application its receipt with both proofs, and the verifier accepts it', async () => {
    const third = written[2].receipt;
    const response = await get(third.receiptId).expect(200);
    const proof = response.body as ReceiptProof;
    expect(proof.format).toBe('attest-receipt-proof/1');
    expect(proof.status).toBe('sealed');
    expect(proof.receipt).toEqual(third);
    expect(proof.batch).toMatchObject({ count: 5, leafIndex: 2 });
    expect(proof.evidence?.events.map((event) => event.id)).toEqual([proof.batch?.eventId]);

    const altered = (change: (copy: ReceiptProof) => void) => {
      const copy = JSON.parse(JSON.stringify(proof)) as ReceiptProof;
      change(copy);
      return copy;
    };
    const [whole, receipt, batchEvent, checkpoint] = await Promise.all([
      verify(dir, 'receipt.json', proof),
      verify(
        dir,
        'receipt-score.json',
        altered((copy) => (copy.receipt.outputs.score = 0.01)),
      ),
      verify(
        dir,
        'batch-event.json',
        altered((copy) => {
          const data = copy.evidence!.events[0].data as { count: number };
          data.count += 1;
        }),
      ),
      verify(
        dir,
        'checkpoint.json',
        altered((copy) => (copy.evidence!.checkpoint.rootHash = 'ff'.repeat(32))),
      ),
    ]);
    expect(whole.stdout).toContain('VERIFIED: every check passed');
    expect(whole.code).toBe(0);
    expect(receipt.code).toBe(1);
    expect(receipt.stdout).toMatch(/FAILED: The receipt was changed/);
    expect(batchEvent.code).toBe(1);
    expect(batchEvent.stdout).toMatch(/FAILED: Event .*it was altered/);
    expect(checkpoint.code).toBe(1);
    expect(checkpoint.stdout).toMatch(/FAILED: Checkpoint/);
  });

  it('fails a proof whose batch root was swapped, or whose leaf moved', async () => {
    const proof = (await get(written[0].receipt.receiptId).expect(200)).body as ReceiptProof;
    const root = JSON.parse(JSON.stringify(proof)) as ReceiptProof;
    root.batch!.root = 'ab'.repeat(32);
    const moved = JSON.parse(JSON.stringify(proof)) as ReceiptProof;
    moved.batch!.leafIndex = 1;
    const [rootRun, movedRun] = await Promise.all([
      verify(dir, 'root.json', root),
      verify(dir, 'moved.json', moved),
    ]);
    expect(rootRun.code).toBe(1);
    // Both checks the root takes part in fail: the leaf's path, and the batch event carrying it.
    expect(rootRun.stdout).toMatch(/not in the batch/);
    expect(rootRun.stdout).toMatch(/does not carry batch/);
    expect(movedRun.code).toBe(1);
    expect(movedRun.stdout).toMatch(/not in the batch/);
  });

  it('answers a receipt not sealed yet as pending, with no proof and a Retry-After', async () => {
    const response = await get(waiting.receipt.receiptId).expect(200);
    expect(response.body).toMatchObject({ status: 'pending', batch: null, evidence: null });
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Nothing proves it yet: the verifier says so rather than passing it.
    const checked = await verify(dir, 'pending.json', response.body);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/not sealed yet/);
  });

  it('is 404 for an unknown receipt, 400 for one that is not an id, 401 without a token', async () => {
    const unknown = await get(uuidv7()).expect(404);
    expect(unknown.body.code).toBe('not-found');
    const bad = await get('not-a-receipt').expect(400);
    expect(bad.body.errors).toHaveProperty('receiptId');
    await test.anonymous().get(`/api/v1/receipts/${written[0].receipt.receiptId}`).expect(401);
  });

  it('is open to every reading role too', async () => {
    const regulator = `Bearer ${await test.token('reggie', ['regulator'])}`;
    await get(written[0].receipt.receiptId, regulator).expect(200);
  });
});

describe('POST /deployments/{id}/outcomes: ground truth joined to receipts', () => {
  let test: TestApp;
  let pipeline: string;
  const receipts = Array.from({ length: 6 }, (_, i) => testReceipt(i));
  const other = testReceipt(50, { deploymentId: 'credit-risk.production' });
  const path = '/api/v1/deployments/credit-risk.staging/outcomes';

  beforeAll(async () => {
    test = await startTestApp({ env: { SEAL_EVERY_RECEIPTS: '0', SEAL_INTERVAL_MS: '0' } });
    pipeline = `Bearer ${await test.token('ci', ['pipeline'])}`;
    const writer = test.app.get(ReceiptWriter);
    await writer.write([...receipts, other]);
  });
  afterAll(() => test?.close());

  const post = (body: unknown, authorization = pipeline) =>
    test
      .anonymous()
      .post(path)
      .set('Authorization', authorization)
      .send(body as object);
  const stored = async (id: string) => {
    const rows = (await test.app
      .get(DataSource)
      .query('SELECT outcome FROM decision_receipts WHERE receipt_id = $1', [id])) as {
      outcome: string | null;
    }[];
    return rows[0]?.outcome;
  };
  const id = (i: number) => receipts[i].receipt.receiptId;

  it('stores outcomes on the receipts, and a repeat changes nothing', async () => {
    const body = {
      outcomes: [
        { receiptId: id(0), label: 'default' },
        { receiptId: id(1), label: 'repaid' },
      ],
    };
    const first = await post(body).expect(200);
    expect(first.body).toEqual({
      deploymentId: 'credit-risk.staging',
      received: 2,
      recorded: 2,
      unchanged: 0,
      eventIds: [],
    });
    expect(await stored(id(0))).toBe('default');
    const again = await post(body).expect(200);
    expect(again.body).toMatchObject({ recorded: 0, unchanged: 2 });
  });

  it('refuses to change an outcome (409 naming the label), storing nothing of the request', async () => {
    const response = await post({
      outcomes: [
        { receiptId: id(2), label: 'repaid' },
        { receiptId: id(0), label: 'repaid' },
      ],
    }).expect(409);
    expect(response.body.errors).toHaveProperty(['outcomes.1.label']);
    expect(await stored(id(2))).toBeNull();
    expect(await stored(id(0))).toBe('default');
  });

  it('refuses a receipt it does not know, or of another deployment (422 naming the receipt id)', async () => {
    const response = await post({
      outcomes: [
        { receiptId: id(3), label: 'repaid' },
        { receiptId: uuidv7(), label: 'repaid' },
        { receiptId: other.receipt.receiptId, label: 'repaid' },
      ],
    }).expect(422);
    expect(Object.keys(response.body.errors as object).sort()).toEqual([
      'outcomes.1.receiptId',
      'outcomes.2.receiptId',
    ]);
    expect(await stored(id(3))).toBeNull();
    expect(await stored(other.receipt.receiptId)).toBeNull();
  });

  it('refuses labels that are not short class names, and more than 10,000 outcomes (400)', async () => {
    for (const label of ['', 'x'.repeat(65), 42, 'line\nbreak']) {
      const response = await post({ outcomes: [{ receiptId: id(4), label }] }).expect(400);
      expect(response.body.errors).toHaveProperty(['outcomes.0.label']);
    }
    const tooMany = Array.from({ length: 10_001 }, () => ({ receiptId: id(4), label: 'repaid' }));
    const response = await post({ outcomes: tooMany }).expect(400);
    expect(response.body.errors).toHaveProperty('outcomes');
    expect(await stored(id(4))).toBeNull();
  });

  it('is for the pipeline only', async () => {
    const body = { outcomes: [{ receiptId: id(4), label: 'repaid' }] };
    for (const role of ['scoring', 'regulator', 'risk-manager'] as const) {
      await post(body, `Bearer ${await test.token(`someone-${role}`, [role])}`).expect(403);
    }
  });

  it('lets exactly one of two racing requests set a receipt outcome', async () => {
    const [a, b] = await Promise.all([
      post({ outcomes: [{ receiptId: id(5), label: 'default' }] }),
      post({ outcomes: [{ receiptId: id(5), label: 'repaid' }] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await stored(id(5))).toBe(a.status === 200 ? 'default' : 'repaid');
  });

  it('gives monitoring the labelled scores of a version in a window', async () => {
    const realised = await test.app.get(ReceiptOutcomes).realised('credit-risk.staging', '1.0.0', {
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-06T00:00:00.000Z',
    });
    const labelled = [0, 1, 5].map((i) => receipts[i]);
    expect(realised.count).toBe(3);
    expect([...realised.scores]).toEqual(labelled.map((r) => r.receipt.outputs.score));
    expect(realised.labels.slice(0, 2)).toEqual(['default', 'repaid']);
    expect([...realised.positive]).toEqual(
      labelled.map((r) => (r.receipt.decision === 'positive' ? 1 : 0)),
    );
    const outside = await test.app.get(ReceiptOutcomes).realised('credit-risk.staging', '1.0.0', {
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
    });
    expect(outside.count).toBe(0);
  });
});
