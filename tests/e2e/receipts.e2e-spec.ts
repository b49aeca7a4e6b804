import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
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
  return runScript('src/cli/verify.ts', { TS_NODE_TRANSPILE_ONLY: 'true' }, [file]);
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
    expect(movedRun.code).toBe(1);
    expect(movedRun.stdout).toMatch(/not in the batch/);
  });

  it('answers a receipt not sealed yet as pending, with no proof and a Retry-After', async () => {
    const response = await get(waiting.receipt.receiptId).expect(200);
    expect(response.body).toMatchObject({ status: 'pending', batch: null, evidence: null });
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
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
