import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { signCheckpoint } from '../../src/integrity/checkpoint';
import { type EvidenceBundle, verifyBundle } from '../../src/integrity/evidence-bundle';
import { embeddedFiles } from '../../src/integrity/pdf-attachment';
import { v7 as uuidv7 } from 'uuid';
import { caughtUp, newEvent, settled } from '../support/events';
import { binary, pdfText } from '../support/pdf';
import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';
import { builtEntry } from '../support/test-build';

/** `npm run verify -- …` as a regulator runs it: a separate process with no service. */
function verifyCli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtEntry('src/cli/verify.ts'), ...args], {
      env: process.env,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('audit packs and the offline verifier', () => {
  let test: TestApp;
  let officer: string;
  let dir: string;
  let position: string;

  beforeAll(async () => {
    test = await startTestApp({ env: { LEDGER_LOG_ID: 'acme-bank' } });
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    ({ position } = await seedSampleHistory(test));
    await caughtUp(test, position);
    dir = await mkdtemp(join(tmpdir(), 'attest-pack-test-'));
  });
  afterAll(async () => {
    await test.close();
    await rm(dir, { recursive: true, force: true });
  });

  const download = async (path: string, status = 200) => {
    const response = await test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', officer)
      .buffer(true)
      .parse(binary)
      .expect(status);
    return { body: response.body as Buffer, headers: response.headers };
  };

  it('gives a signed PDF with every section, the facts, the checkpoint root and the evidence attached', async () => {
    const { body: pdf, headers } = await download('/models/scorer/versions/1.0.0/audit-pack');
    expect(headers['content-type']).toContain('application/pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await pdfText(pdf);
    for (const section of [
      'MODEL GOVERNANCE AUDIT PACK',
      '1. Model card',
      '2. Lineage',
      '3. Training and evaluation data',
      '4. Training',
      '5. Evaluations and fairness',
      '6. Approvals',
      '7. Deployments and rollbacks',
      '8. Monitoring',
      '9. Deletion requests that touched it',
      'Appendix: every cited event',
    ]) {
      expect({ section, present: text.includes(section) }).toEqual({ section, present: true });
    }
    const [bundleFile] = embeddedFiles(pdf);
    const bundle = JSON.parse(bundleFile.toString('utf8')) as EvidenceBundle;
    expect(text).toContain(bundle.checkpoint.rootHash);
    expect(text).toContain('scorer');
    expect(text).toContain('solely-automated');
    expect(text).toContain('loans@v1');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(headers['attest-checkpoint']).toBe(
      `${bundle.checkpoint.treeSize} ${bundle.checkpoint.rootHash}`,
    );
    // Cites the version's own events, not other models' or the access log's.
    const types = new Set(bundle.events.map((e) => e.type));
    for (const type of [
      'DatasetVersionRegistered',
      'TrainingRunStarted',
      'ModelVersionRegistered',
      'ApprovalRequested',
      'ModelDeployed',
      'PredictionBatchRecorded',
      'AlertRaised',
    ]) {
      expect({ type, cited: types.has(type) }).toEqual({ type, cited: true });
    }
    expect(bundle.events.every((e) => !e.stream.startsWith('access-log-'))).toBe(true);
    expect(String(headers['attest-cited-events'])).toBe(String(bundle.events.length));
    for (const event of bundle.events) expect(text).toContain(event.id);

    await writeFile(join(dir, 'pack.pdf'), pdf);
    await writeFile(join(dir, 'signature.jws'), String(headers['attest-signature']));
    const jwks = (await test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwks));
    const verified = await verifyBundle(bundle, {
      jwks,
      pdf: { bytes: pdf, signature: String(headers['attest-signature']) },
    });
    expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('keeps the evidence of each pack handed out, with that PDF’s signature in it', async () => {
    const { body: pdf, headers } = await download('/models/scorer/versions/1.0.0/audit-pack');
    const packId = String(headers['attest-pack-id']);
    const { body } = await download(`/models/scorer/versions/1.0.0/audit-packs/${packId}/evidence`);
    const bundle = JSON.parse(body.toString('utf8')) as EvidenceBundle;
    expect(bundle.pdf).toEqual({
      sha256: headers['attest-content-sha256'],
      signature: headers['attest-signature'],
    });
    const [attached] = embeddedFiles(pdf);
    expect({ ...bundle, pdf: undefined }).toEqual({
      ...(JSON.parse(attached.toString('utf8')) as EvidenceBundle),
      pdf: undefined,
    });
    await writeFile(join(dir, 'issued.json'), body);
    await writeFile(join(dir, 'issued.pdf'), pdf);
    const { code, out } = await verifyCli([
      join(dir, 'issued.json'),
      '--jwks',
      join(dir, 'jwks.json'),
      '--pdf',
      join(dir, 'issued.pdf'),
    ]);
    expect(out).toContain('✓ PDF: SHA-256');
    expect(code).toBe(0);
    await download(`/models/scorer-x/versions/1.0.0/audit-packs/${packId}/evidence`, 404);
    await download('/models/scorer/versions/1.0.0/audit-packs/not-a-pack/evidence', 400);
  });

  it('records each pack handed out as AuditPackIssued and lists it to compliance and regulators', async () => {
    const { body: pdf, headers } = await download('/models/scorer/versions/1.0.0/audit-pack');
    const packId = String(headers['attest-pack-id']);
    const recorded = await test.eventLog.readStream('audit-pack-scorer');
    const event = recorded.find((e) => (e.data as { packId?: string }).packId === packId);
    expect(event).toMatchObject({
      type: 'AuditPackIssued',
      data: {
        packId,
        model: 'scorer',
        version: '1.0.0',
        sha256: headers['attest-content-sha256'],
        bytes: pdf.length,
        citedEvents: Number(headers['attest-cited-events']),
        treeSize: Number(String(headers['attest-checkpoint']).split(' ')[0]),
        issuedBy: 'carol',
      },
      metadata: { actor: { sub: 'carol', roles: ['compliance-officer'] } },
    });
    // Nothing about the person beyond the actor's sub, as every event.
    expect(Object.keys(event!.data).sort()).toEqual(
      [
        'bytes',
        'citedEvents',
        'issuedAt',
        'issuedBy',
        'model',
        'packId',
        'sha256',
        'treeSize',
        'version',
      ].sort(),
    );
    await caughtUp(test, event!.position);
    const regulator = `Bearer ${await test.token('rita', ['regulator'])}`;
    const listed = await test
      .anonymous()
      .get('/api/v1/compliance/audit-packs?model=scorer&version=1.0.0&limit=1000')
      .set('Authorization', regulator)
      .expect(200);
    const row = (listed.body as { items: Record<string, unknown>[] }).items.find(
      (item) => item.packId === packId,
    );
    expect(row).toEqual({
      packId,
      eventId: event!.id,
      model: 'scorer',
      version: '1.0.0',
      sha256: headers['attest-content-sha256'],
      bytes: pdf.length,
      citedEvents: Number(headers['attest-cited-events']),
      treeSize: Number(String(headers['attest-checkpoint']).split(' ')[0]),
      issuedBy: 'carol',
      issuedAt: (event!.data as { issuedAt: string }).issuedAt,
    });
    const scientist = `Bearer ${await test.token('dana', ['data-scientist'])}`;
    await test
      .anonymous()
      .get('/api/v1/compliance/audit-packs')
      .set('Authorization', scientist)
      .expect(403);
    const refused = await test
      .anonymous()
      .get('/api/v1/compliance/audit-packs?model=Not%20A%20Model')
      .set('Authorization', officer)
      .expect(400);
    expect(JSON.stringify(refused.body)).toContain('model');
  });

  it('the verifier passes the genuine pack, printing what it checked', async () => {
    const { code, out } = await verifyCli([
      join(dir, 'pack.pdf'),
      '--jwks',
      join(dir, 'jwks.json'),
      '--signature',
      join(dir, 'signature.jws'),
    ]);
    expect(out).toContain('✓ checkpoint signature: log acme-bank');
    expect(out).toMatch(/✓ cited events: (\d+) of \1 match their content hash/);
    expect(out).toContain('✓ PDF: SHA-256');
    expect(out).toContain('VERIFIED');
    expect(code).toBe(0);
  });

  it('fails, naming the event, when an event was altered in the database after signing', async () => {
    const { body: before } = await download('/models/scorer/versions/1.0.0/audit-pack?format=json');
    const bundle = JSON.parse(before.toString()) as EvidenceBundle;
    const victim = bundle.events.find((e) => e.type === 'ModelVersionRegistered');
    expect(victim).toBeDefined();
    await test.tamper(victim!.id, { ...victim!.data, riskTier: 'low', decisionClass: 'advisory' });
    const { body: after } = await download('/models/scorer/versions/1.0.0/audit-pack?format=json');
    await writeFile(join(dir, 'tampered.json'), after);
    const { code, out } = await verifyCli([
      join(dir, 'tampered.json'),
      '--jwks',
      join(dir, 'jwks.json'),
    ]);
    expect(out).toContain(`✗ event ${victim!.id} (ModelVersionRegistered`);
    expect(out).toContain('it was altered');
    expect(out).toContain('FAILED');
    expect(code).toBe(1);
    await test.tamper(victim!.id, victim!.data);
  });

  it('fails when a proof is altered, or when the PDF is not the one signed', async () => {
    const { body } = await download('/models/scorer/versions/1.0.0/audit-pack?format=json');
    const bundle = JSON.parse(body.toString()) as EvidenceBundle;
    const target = bundle.events.find((e) => e.proof.length > 0)!;
    target.proof[0] = target.proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await writeFile(join(dir, 'bad-proof.json'), JSON.stringify(bundle));
    const proof = await verifyCli([join(dir, 'bad-proof.json'), '--jwks', join(dir, 'jwks.json')]);
    expect(proof.out).toContain(`✗ event ${target.id}`);
    expect(proof.out).toContain('inclusion proof does not lead to the checkpoint');
    expect(proof.code).toBe(1);

    const pdf = await readFile(join(dir, 'pack.pdf'));
    const edited = Buffer.concat([pdf, Buffer.from('\n% edited\n')]);
    await writeFile(join(dir, 'edited.pdf'), edited);
    const pdfCheck = await verifyCli([
      join(dir, 'edited.pdf'),
      '--jwks',
      join(dir, 'jwks.json'),
      '--signature',
      join(dir, 'signature.jws'),
    ]);
    expect(pdfCheck.out).toContain('✗ PDF: SHA-256');
    expect(pdfCheck.code).toBe(1);
  });

  it('fails when the checkpoint is signed by another key', async () => {
    const { body } = await download('/models/scorer/versions/1.0.0/audit-pack?format=json');
    const bundle = JSON.parse(body.toString()) as EvidenceBundle;
    const other = await generateKeyPair('EdDSA', { extractable: true });
    const otherJwk = { ...(await exportJWK(other.publicKey)), kid: 'impostor', alg: 'EdDSA' };
    const { logId, treeSize, rootHash, timestamp } = bundle.checkpoint;
    bundle.checkpoint.jws = await signCheckpoint(
      { logId, treeSize, rootHash, timestamp },
      { privateKey: other.privateKey, kid: 'impostor' },
    );
    bundle.jwks = { keys: [otherJwk] };
    await writeFile(join(dir, 'impostor.json'), JSON.stringify(bundle));
    const { code, out } = await verifyCli([
      join(dir, 'impostor.json'),
      '--jwks',
      join(dir, 'jwks.json'),
    ]);
    expect(out).toContain('✗ checkpoint signature: the checkpoint signature does not verify');
    expect(code).toBe(1);
  });

  it('checks consistency with an older checkpoint kept by the regulator, and fails for a forged one', async () => {
    const older = (
      await test
        .anonymous()
        .get('/api/v1/ledger/checkpoints/latest')
        .set('Authorization', officer)
        .expect(200)
    ).body;
    await writeFile(join(dir, 'older.json'), JSON.stringify(older));
    // More history, then a pack under a newer checkpoint.
    const { position: later } = await seedSampleHistory(test, '-b');
    await settled(test.eventLog, later);
    await test.runner.waitFor(later, 10_000);
    const { body } = await download('/models/scorer-b/versions/1.0.0/audit-pack?format=json');
    const bundle = JSON.parse(body.toString()) as EvidenceBundle;
    await writeFile(join(dir, 'newer.json'), body);
    expect(bundle.checkpoint.treeSize).toBeGreaterThan(older.treeSize);
    const consistency = (
      await test
        .anonymous()
        .get(
          `/api/v1/ledger/proofs/consistency?from=${older.treeSize}&to=${bundle.checkpoint.treeSize}`,
        )
        .set('Authorization', officer)
        .expect(200)
    ).body;
    await writeFile(join(dir, 'consistency.json'), JSON.stringify(consistency));
    const args = [
      join(dir, 'newer.json'),
      '--jwks',
      join(dir, 'jwks.json'),
      '--previous',
      join(dir, 'older.json'),
      '--consistency',
      join(dir, 'consistency.json'),
    ];
    const good = await verifyCli(args);
    expect(good.out).toContain(
      `✓ consistency: the tree of ${bundle.checkpoint.treeSize} events extends the earlier checkpoint of ${older.treeSize}`,
    );
    expect(good.code).toBe(0);

    // A history rewritten before the older checkpoint: its proof cannot link the two roots.
    const forged = {
      ...consistency,
      proof: (consistency.proof as string[]).map((p: string) => p.split('').reverse().join('')),
    };
    await writeFile(join(dir, 'forged.json'), JSON.stringify(forged));
    const bad = await verifyCli([...args.slice(0, -1), join(dir, 'forged.json')]);
    expect(bad.out).toContain('✗ consistency');
    expect(bad.code).toBe(1);
  });

  it('grows by pages with what it cites, and its appendix lists every cited event', async () => {
    const pagesOf = async (model: string) => {
      const { body, headers } = await download(`/models/${model}/versions/1.0.0/audit-pack`);
      const { text, pages } = await pdfText(body);
      return { pages, cited: Number(headers['attest-cited-events']), text };
    };
    const { position: seeded } = await seedSampleHistory(test, '-c');
    await settled(test.eventLog, seeded);
    await test.runner.waitFor(seeded, 10_000);
    const before = await pagesOf('scorer-c');
    // 300 more prediction batches of its staging deployment.
    let last = '';
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const batchId = uuidv7();
      ids.push(uuidv7());
      const to = new Date(Date.parse('2026-11-02T00:00:00Z') + i * 60_000).toISOString();
      ({ position: last } = await test.eventLog.append(
        `prediction-batch-${batchId}`,
        [
          newEvent({
            id: ids[i],
            type: 'PredictionBatchRecorded',
            data: {
              batchId,
              deploymentId: 'scorer-c.staging',
              model: 'scorer-c',
              version: '1.0.0',
              environment: 'staging',
              count: 10,
              window: { from: to, to },
              inputDigest: `sha256:${'c'.repeat(64)}`,
              outputDistribution: { approve: 10 },
              featureSummaries: [],
              latencyMs: { p50: 1, p95: 2, p99: 3 },
              decisions: { automated: 10, referred: 0 },
              recordedBy: 'ci',
              recordedAt: to,
            },
          }),
        ],
        { expectedRevision: 'no_stream' },
      ));
    }
    await settled(test.eventLog, last);
    await test.runner.waitFor(last, 20_000);
    const after = await pagesOf('scorer-c');
    expect(after.cited).toBe(before.cited + 300);
    expect(after.pages).toBeGreaterThan(before.pages + 5);
    for (const id of [ids[0], ids[150], ids[299]]) expect(after.text).toContain(id);
  });

  it('answers 404 for a version never registered, not an empty PDF, and 400 for a bad format', async () => {
    const missing = await test
      .anonymous()
      .get('/api/v1/models/scorer/versions/9.9.9/audit-pack')
      .set('Authorization', officer)
      .expect(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const bad = await test
      .anonymous()
      .get('/api/v1/models/scorer/versions/1.0.0/audit-pack?format=docx')
      .set('Authorization', officer)
      .expect(400);
    expect(Object.keys(bad.body.errors)).toEqual(['format']);
  });
});
