/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { env as ortEnv } from 'onnxruntime-node';
import { ArtifactStorage } from '../../src/artifacts/artifact-storage';
import { streams } from '../../src/ledger/stream-names';
import {
  IR_VERSION,
  ONNX_OPSET,
  PRODUCER_NAME,
  corruptModelBytes,
  logisticRegressionModel,
  zipMapModel,
} from '../support/onnx';
import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;
const LOANS_HASH = `sha256:${'ab'.repeat(32)}`;
const MAX_BYTES = 4096;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('model artifacts over HTTP', () => {
  let test: TestApp;
  let artifactDir: string;
  let pipeline: string;
  let scientist: string;
  let regulator: string;
  let last: string | undefined;
  const model = Buffer.from(logisticRegressionModel());
  const digest = `sha256:${sha256(model)}`;

  const write = async (path: string, token: string, body: object, status = 201) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', token)
      .send(body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    last = (response.body as { ledgerPosition: string }).ledgerPosition;
    return response.body as { id: string; ledgerPosition: string; eventIds: string[] };
  };
  const put = (version: string, bytes: Uint8Array, token = pipeline) =>
    test
      .anonymous()
      .put(`/api/v1/models/credit-risk/versions/${version}/artifact`)
      .set('Authorization', token)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(bytes));
  const stored = async () =>
    (await readdir(join(artifactDir, 'sha256')).catch(() => [] as string[])).sort();
  const artifactEvents = async () =>
    (await test.eventLog.readStream(streams.model('credit-risk'))).filter(
      (event) => event.type === 'ModelArtifactStored',
    );

  /** Registers credit-risk@<version> from a run that produced `artifact`. */
  async function register(version: string, artifact: string) {
    const run = await write('/training-runs', scientist, {
      model: 'credit-risk',
      datasetVersions: [{ name: 'loans', version: '2026-02' }],
      code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
      algorithm: 'logistic-regression',
      hyperparameters: {},
    });
    await write(`/training-runs/${run.id}/completion`, pipeline, {
      metrics: { auc: 0.81 },
      validationApproach: 'out-of-time holdout 2025-Q4',
      artifact: { uri: 's3://models/credit-risk/model.onnx', digest: artifact, format: 'onnx' },
    });
    await write('/models/credit-risk/versions', scientist, {
      version,
      runId: run.id,
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intendedUse: 'consumer credit applications up to $50k',
      limitations: ['not validated for business lending'],
      owner: 'head-of-credit-risk',
    });
  }

  beforeAll(async () => {
    artifactDir = await mkdtemp(join(tmpdir(), 'attest-artifacts-e2e-'));
    test = await startTestApp({
      env: { ARTIFACT_DIR: artifactDir, ARTIFACT_MAX_BYTES: String(MAX_BYTES) },
    });
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    scientist = `Bearer ${await test.token('tess', ['data-scientist'])}`;
    regulator = `Bearer ${await test.token('asic-reviewer', ['regulator'])}`;
    await write('/datasets/loans/versions', pipeline, {
      version: '2026-02',
      contentHash: LOANS_HASH,
      rows: 1000,
      schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
      location: 's3://lake/2026-02.parquet',
      region: 'ap-southeast-2',
    });
    await register('1.0.0', digest);
  });
  afterAll(async () => {
    await test?.close();
    await rm(artifactDir, { recursive: true, force: true });
  });

  it('stores the file, records its metadata and serves it back byte for byte', async () => {
    expect(model.length).toBeLessThan(MAX_BYTES);
    const response = await put('1.0.0', model, scientist);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'credit-risk@1.0.0' });
    expect(response.body.eventIds).toHaveLength(1);
    last = response.body.ledgerPosition;
    expect(await stored()).toEqual([sha256(model)]);

    const [event] = await artifactEvents();
    expect(event.data).toEqual({
      model: 'credit-risk',
      version: '1.0.0',
      digest,
      size: model.length,
      irVersion: IR_VERSION,
      producerName: PRODUCER_NAME,
      producerVersion: expect.any(String),
      opsets: [{ domain: '', version: ONNX_OPSET }],
      operators: [
        { domain: '', opType: 'Add' },
        { domain: '', opType: 'MatMul' },
        { domain: '', opType: 'Sigmoid' },
      ],
      inputs: [{ name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 4] }],
      outputs: [expect.objectContaining({ kind: 'tensor', elementType: 'float32' })],
      scoreOutput: (event.data.outputs as { name: string }[])[0].name,
      onnxruntimeVersion: ortEnv.versions.node,
      storedBy: 'tess',
      storedAt: expect.any(String),
    });

    const view = await test
      .http()
      .get('/api/v1/models/credit-risk/versions/1.0.0')
      .set('X-Ledger-Position', last as string);
    expect(view.status).toBe(200);
    const { storedAt: _at, model: _m, version: _v, ...recorded } = event.data;
    expect(view.body.artifact).toMatchObject(recorded);

    const file = await test
      .anonymous()
      .get('/api/v1/models/credit-risk/versions/1.0.0/artifact')
      .set('Authorization', regulator)
      .buffer(true)
      .parse((res, done) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => done(null, Buffer.concat(parts)));
      });
    expect(file.status).toBe(200);
    expect(file.headers['attest-content-sha256']).toBe(sha256(model));
    expect(file.headers['etag']).toBe(`"${digest}"`);
    expect(file.headers['content-length']).toBe(String(model.length));
    expect(Buffer.compare(file.body as Buffer, model)).toBe(0);
  });

  it('takes the same bytes again, once or concurrently, as the same fact', async () => {
    const again = await put('1.0.0', model);
    expect(again.status).toBe(200);
    expect(again.body.eventIds).toEqual([]);
    const racing = await Promise.all([put('1.0.0', model), put('1.0.0', model)]);
    expect(racing.map((response) => response.status)).toEqual([200, 200]);
    // An Idempotency-Key adds nothing to an upload: the digest makes it idempotent already.
    const keyed = await put('1.0.0', model).set('Idempotency-Key', 'upload-1');
    expect({ status: keyed.status, eventIds: keyed.body.eventIds }).toEqual({
      status: 200,
      eventIds: [],
    });
    expect(await artifactEvents()).toHaveLength(1);
    expect(await stored()).toEqual([sha256(model)]);
  });

  it('records one event when the first uploads of a version race', async () => {
    const other = Buffer.from(logisticRegressionModel());
    // The same bytes registered under another version: one file, one event per version.
    await register('1.1.0', `sha256:${sha256(other)}`);
    const racing = await Promise.all([put('1.1.0', other), put('1.1.0', other)]);
    expect(racing.map((response) => response.status)).toEqual([200, 200]);
    expect(racing.flatMap((response) => response.body.eventIds as string[])).toHaveLength(1);
    expect((await artifactEvents()).filter((e) => e.data.version === '1.1.0')).toHaveLength(1);
  });

  it('refuses bytes that are not the registered digest, naming both, keeping nothing', async () => {
    await register('2.0.0', digest);
    const altered = Buffer.from(model);
    altered[altered.length - 1] ^= 0xff;
    const before = await test.countEvents();
    const response = await put('2.0.0', altered);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.body.code).toBe('artifact-digest-mismatch');
    expect(response.body.detail).toContain(`sha256:${sha256(altered)}`);
    expect(response.body.detail).toContain(digest);
    expect(await test.countEvents()).toBe(before);
    expect(await stored()).toEqual([sha256(model)]);
  });

  it('refuses a file onnxruntime cannot load, and a model with no tensor output', async () => {
    for (const [version, bytes, message] of [
      ['3.0.0', Buffer.from(corruptModelBytes()), /onnxruntime cannot load the file/],
      ['3.1.0', Buffer.from(zipMapModel()), /the model has no tensor output/],
    ] as const) {
      await register(version, `sha256:${sha256(bytes)}`);
      const before = await test.countEvents();
      const response = await put(version, bytes);
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 422,
        code: 'unusable-model-artifact',
      });
      expect(response.body.detail).toMatch(message);
      expect(response.body.detail).not.toContain(artifactDir);
      expect(await test.countEvents()).toBe(before);
      expect(await stored()).toEqual([sha256(model)]);
    }
  });

  it('refuses a file larger than ARTIFACT_MAX_BYTES with 413, leaving no temporary file', async () => {
    const big = Buffer.alloc(MAX_BYTES * 256, 7);
    await register('4.0.0', `sha256:${sha256(big)}`);
    const before = await test.countEvents();
    const response = await put('4.0.0', big);
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('artifact-too-large');
    expect(await test.countEvents()).toBe(before);
    expect(await stored()).toEqual([sha256(model)]);
  });

  it('answers 404 for a version without a file or not registered, and refuses a regulator', async () => {
    const none = await test.http().get('/api/v1/models/credit-risk/versions/2.0.0/artifact');
    expect(none.status).toBe(404);
    expect(none.headers['content-type']).toMatch(PROBLEM);
    expect((await put('9.9.9', model)).status).toBe(404);
    const before = await test.countEvents();
    const refused = await put('2.0.0', model, regulator);
    expect(refused.status).toBe(403);
    expect(await test.countEvents()).toBe(before);
  });
});

describe('model artifacts with DATA_DIR=memory://', () => {
  it('keeps them in a temporary directory of the process, removed when the app closes', async () => {
    const test = await startTestApp();
    const storage = test.app.get(ArtifactStorage);
    try {
      expect(storage.store.dir.startsWith(tmpdir())).toBe(true);
      await storage.store.put(Readable.from([Buffer.from('bytes')]), { maxBytes: 10 });
      expect(await readdir(join(storage.store.dir, 'sha256'))).toHaveLength(1);
    } finally {
      await test.close();
    }
    await expect(stat(storage.store.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
