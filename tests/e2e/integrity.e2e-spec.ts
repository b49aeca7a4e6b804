import { type SignedCheckpointFields, verifyCheckpoint } from '../../src/integrity/checkpoint';
import {
  type Hash,
  leafHash,
  nodeHash,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from '../../src/integrity/merkle';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { RecordedEvent } from '../../src/ledger/event-log.port';
import { caughtUp, newEvents, settled } from '../support/events';
import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';
import { createTestDatabase, defaultStoreKind } from '../support/test-database';

type Checkpoint = SignedCheckpointFields & { eventId: string };

/** Every event in ledger order, as a verifier with database access would read them. */
async function allEvents(test: TestApp): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await test.eventLog.readAll({ from: events.at(-1)?.position, maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

/** MTH over the first n events, straight from the RFC's definition: the independent check. */
function referenceRoot(leaves: Hash[]): Hash {
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}
const leavesOf = (events: RecordedEvent[]) =>
  events.map((event) => leafHash(Buffer.from(event.metadata.integrity.hash, 'hex')));

describe('the integrity log: signed checkpoints and proofs', () => {
  let test: TestApp;
  let officer: string;
  /** The newest write this test knows of: reads wait until it is settled and projected. */
  let position: string;

  beforeAll(async () => {
    test = await startTestApp({ env: { LEDGER_LOG_ID: 'acme-bank-test' } });
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    ({ position } = await seedSampleHistory(test));
  });
  afterAll(() => test.close());

  /** Waits for every projection to pass the newest event, then signs. */
  async function signCheckpoint(): Promise<Checkpoint> {
    await caughtUp(test, position);
    const response = await test
      .anonymous()
      .post('/api/v1/ledger/checkpoints')
      .set('Authorization', officer)
      .send({})
      .expect(201);
    // Reads after it see it, as after any write.
    position = response.body.ledgerPosition || position;
    await caughtUp(test, position);
    return response.body.checkpoint as Checkpoint;
  }

  const read = async (path: string, status = 200) =>
    (await test.anonymous().get(path).set('Authorization', officer).expect(status)).body;

  it('signs the root of every event so far, verifiable with the published keys only', async () => {
    const checkpoint = await signCheckpoint();
    const events = await allEvents(test);
    // Everything before the checkpoint's own record is in the tree it signs.
    const signed = events.slice(0, checkpoint.treeSize);
    expect(events[checkpoint.treeSize]).toMatchObject({
      type: 'LedgerCheckpointSigned',
      id: checkpoint.eventId,
    });
    expect(checkpoint.rootHash).toBe(referenceRoot(leavesOf(signed)).toString('hex'));

    const jwks = (await test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
    const { payload, kid } = await verifyCheckpoint(checkpoint.jws, jwks);
    expect(payload).toEqual({
      logId: 'acme-bank-test',
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      timestamp: checkpoint.timestamp,
    });
    expect(kid).toBe(checkpoint.keyId);
    expect(await read('/api/v1/ledger/checkpoints/latest')).toEqual(checkpoint);
    // The key's public half is in the ledger itself, recorded once.
    const keys = events.filter((e) => e.type === 'LedgerSigningKeyActivated');
    expect(keys.map((e) => e.data.keyId)).toEqual([kid]);
  });

  it('proves each event included in the signed tree, and the proof fails for another event', async () => {
    const checkpoint = await signCheckpoint();
    const events = (await allEvents(test)).slice(0, checkpoint.treeSize);
    const root = Buffer.from(checkpoint.rootHash, 'hex');
    for (const index of [0, 1, Math.floor(events.length / 2), events.length - 1]) {
      const event = events[index];
      const proof = await read(`/api/v1/ledger/proofs/inclusion/${event.id}`);
      expect(proof).toMatchObject({
        eventId: event.id,
        stream: event.stream,
        revision: Number(event.revision),
        eventHash: event.metadata.integrity.hash,
        leafIndex: index,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        checkpoint,
      });
      const path = (proof.proof as string[]).map((p) => Buffer.from(p, 'hex'));
      const leaf = leafHash(Buffer.from(event.metadata.integrity.hash, 'hex'));
      expect(verifyInclusion(index, checkpoint.treeSize, leaf, path, root)).toBe(true);
      const other = leafHash(
        Buffer.from(events[(index + 1) % events.length].metadata.integrity.hash, 'hex'),
      );
      expect(verifyInclusion(index, checkpoint.treeSize, other, path, root)).toBe(false);
    }
    // In an older, smaller tree too.
    const small = await read(`/api/v1/ledger/proofs/inclusion/${events[1].id}?treeSize=3`);
    expect(small).toMatchObject({ treeSize: 3, checkpoint: null });
    expect(small.rootHash).toBe(referenceRoot(leavesOf(events.slice(0, 3))).toString('hex'));
  });

  it('proves an older checkpoint a prefix of a newer one', async () => {
    const older = await signCheckpoint();
    ({ position } = await test.eventLog.append('ledger-probe-1', newEvents(5), {
      expectedRevision: 'any',
    }));
    const newer = await signCheckpoint();
    expect(newer.treeSize).toBeGreaterThan(older.treeSize + 5);
    const answer = await read(
      `/api/v1/ledger/proofs/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
    );
    expect(answer).toMatchObject({
      from: older.treeSize,
      to: newer.treeSize,
      fromRoot: older.rootHash,
      toRoot: newer.rootHash,
      fromCheckpoint: older,
      toCheckpoint: newer,
    });
    const proof = (answer.proof as string[]).map((p) => Buffer.from(p, 'hex'));
    const [oldRoot, newRoot] = [older.rootHash, newer.rootHash].map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(older.treeSize, newer.treeSize, oldRoot, newRoot, proof)).toBe(true);
    expect(
      verifyConsistency(older.treeSize, newer.treeSize, leafHash(oldRoot), newRoot, proof),
    ).toBe(false);
    // Without `to`: against the latest checkpoint.
    expect((await read(`/api/v1/ledger/proofs/consistency?from=${older.treeSize}`)).to).toBe(
      newer.treeSize,
    );
  });

  it('answers the same checkpoint again when nothing was added', async () => {
    const first = await signCheckpoint();
    const again = await test
      .anonymous()
      .post('/api/v1/ledger/checkpoints')
      .set('Authorization', officer)
      .send({})
      .expect(201);
    // Only the first checkpoint's own record was added since: the first checkpoint still stands.
    expect(again.body.checkpoint.treeSize).toBe(first.treeSize);
    const third = await test
      .anonymous()
      .post('/api/v1/ledger/checkpoints')
      .set('Authorization', officer)
      .send({})
      .expect(201);
    expect(third.body.checkpoint).toEqual(again.body.checkpoint);
  });

  it('refuses what it cannot prove, naming the field', async () => {
    const latest = (await read('/api/v1/ledger/checkpoints/latest')) as Checkpoint;
    const [first] = await allEvents(test);
    await read('/api/v1/ledger/proofs/inclusion/0190f1a2-0000-7000-8000-000000000000', 404);
    for (const [path, field] of [
      [`/api/v1/ledger/proofs/inclusion/${first.id}?treeSize=99999999`, 'treeSize'],
      [`/api/v1/ledger/proofs/inclusion/${first.id}?treeSize=0`, 'treeSize'],
      ['/api/v1/ledger/proofs/inclusion/not-an-id', 'eventId'],
      [
        `/api/v1/ledger/proofs/consistency?from=${latest.treeSize + 1}&to=${latest.treeSize}`,
        'from',
      ],
      ['/api/v1/ledger/proofs/consistency?from=1&to=99999999', 'to'],
      ['/api/v1/ledger/proofs/consistency', 'from'],
    ] as const) {
      const body = await read(path, 400);
      expect({ path, fields: Object.keys(body.errors) }).toEqual({ path, fields: [field] });
    }
    const before = await test.countEvents();
    await test
      .anonymous()
      .post('/api/v1/ledger/checkpoints')
      .set('Authorization', `Bearer ${await test.token('rita', ['regulator'])}`)
      .expect(403);
    expect(await test.countEvents()).toBe(before);
  });

  it('builds the same tree again when the projection is rebuilt from the ledger', async () => {
    const checkpoint = await signCheckpoint();
    const before = await read(`/api/v1/ledger/proofs/consistency?from=1&to=${checkpoint.treeSize}`);
    await test.runner.rebuild(['integrity-log', 'ledger-checkpoints']);
    await test.runner.waitFor(position, 30_000);
    expect(
      await read(`/api/v1/ledger/proofs/consistency?from=1&to=${checkpoint.treeSize}`),
    ).toEqual(before);
  });
});

describe('GET /ledger/verify and the integrity tree', () => {
  let test: TestApp;
  let position: string;
  beforeAll(async () => {
    test = await startTestApp();
    ({ position } = await seedSampleHistory(test));
  });
  afterAll(() => test.close());

  const verify = async () => {
    await caughtUp(test, position);
    return (await test.http().get('/api/v1/ledger/verify').expect(200)).body;
  };

  it('checks every leaf and signed checkpoint against the chains, and names what was altered', async () => {
    const intact = await verify();
    // The sample history signs one checkpoint, and its audit pack may sign another.
    const signed = (await allEvents(test)).filter((e) => e.type === 'LedgerCheckpointSigned');
    expect(signed.length).toBeGreaterThanOrEqual(1);
    expect(intact).toMatchObject({
      ok: true,
      tree: { ok: true, checkpointsChecked: signed.length, mismatchCount: 0, firstMismatch: null },
    });
    expect(intact.tree.leavesChecked).toBe(intact.eventsChecked);

    const db = test.app.get(DataSource);
    const [leaf] = await db.query(
      'SELECT event_id, event_hash FROM integrity_leaves WHERE leaf_index = 3',
    );
    await db.query(`UPDATE integrity_leaves SET event_hash = $1 WHERE leaf_index = 3`, [
      'ab'.repeat(32),
    ]);
    const alteredLeaf = await verify();
    expect(alteredLeaf).toMatchObject({
      ok: false,
      mismatchCount: 0,
      tree: {
        ok: false,
        firstMismatch: {
          reason: 'leaf-mismatch',
          table: 'integrity_leaves',
          at: 3,
          index: 3,
          column: 'event_hash',
          eventId: leaf.event_id,
        },
      },
    });

    // A stored subtree altered behind the service's back: the served root is no longer the ledger's.
    await db.query('UPDATE integrity_leaves SET event_hash = $1 WHERE leaf_index = 3', [
      leaf.event_hash,
    ]);
    expect((await verify()).ok).toBe(true);
    const size = (await verify()).tree.leavesChecked as number;
    // The largest complete subtree: always part of the root.
    const level = Math.floor(Math.log2(size));
    await db.query('UPDATE integrity_subtrees SET hash = $1 WHERE level = $2 AND index = 0', [
      Buffer.alloc(32),
      level,
    ]);
    const alteredTree = await verify();
    expect(alteredTree.tree).toMatchObject({
      ok: false,
      firstMismatch: {
        reason: 'subtree-mismatch',
        table: 'integrity_subtrees',
        level,
        index: 0,
        actual: '00'.repeat(32),
      },
    });
  });
});

describe('rotating the signing key', () => {
  it('keeps every key that ever signed in the JWKS, and the checkpoints of both still verify', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attest-rotation-'));
    const keys = ['old', 'new'].map((name) => join(dir, `${name}.pem`));
    for (const file of keys) {
      await writeFile(
        file,
        generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
      );
    }
    // The same ledger for both: a PostgreSQL database, or an embedded store on disk.
    const shared =
      defaultStoreKind() === 'postgres' ? await createTestDatabase('postgres') : undefined;
    const store: Record<string, string> = shared ? {} : { DATA_DIR: join(dir, 'data') };
    const signWith = async (keyFile: string) => {
      const test = await startTestApp({
        database: shared,
        env: { ...store, SIGNING_KEY_FILE: keyFile },
      });
      const officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
      const { position } = await test.eventLog.append('ledger-probe-rotation', newEvents(3), {
        expectedRevision: 'any',
      });
      await caughtUp(test, position);
      const signed = await test
        .anonymous()
        .post('/api/v1/ledger/checkpoints')
        .set('Authorization', officer)
        .expect(201);
      return {
        test,
        checkpoint: signed.body.checkpoint as Checkpoint,
        position: signed.body.ledgerPosition as string,
      };
    };
    try {
      const before = await signWith(keys[0]);
      await before.test.close();
      const after = await signWith(keys[1]);
      try {
        await settled(after.test.eventLog, after.position);
        await after.test.runner.waitFor(after.position, 10_000);
        const jwks = (await after.test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
        expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([
          before.checkpoint.keyId,
          after.checkpoint.keyId,
        ]);
        expect(before.checkpoint.keyId).not.toBe(after.checkpoint.keyId);
        for (const { checkpoint } of [before, after]) {
          expect((await verifyCheckpoint(checkpoint.jws, jwks)).kid).toBe(checkpoint.keyId);
        }
        const verified = (await after.test.http().get('/api/v1/ledger/verify').expect(200)).body;
        expect(verified.tree).toMatchObject({ ok: true, checkpointsChecked: 2 });
      } finally {
        await after.test.close();
      }
    } finally {
      await shared?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('automatic checkpoints', () => {
  /** The first LedgerCheckpointSigned, looked for every 100 ms for at most 10 s. */
  const firstCheckpoint = (test: TestApp) =>
    new Promise<RecordedEvent | undefined>((resolve) => {
      const deadline = Date.now() + 10_000;
      const look = async () => {
        const [event] = await test.eventLog
          .readStream('ledger-checkpoints', { maxCount: 1 })
          .catch(() => []);
        if (event || Date.now() > deadline) resolve(event);
        else setTimeout(() => void look(), 100);
      };
      void look();
    });

  it.each([
    [
      'CHECKPOINT_EVERY_EVENTS events follow the last checkpoint',
      { CHECKPOINT_EVERY_EVENTS: '20', CHECKPOINT_INTERVAL_MS: '0' },
      25,
    ],
    [
      'CHECKPOINT_INTERVAL_MS has passed with an event unsigned',
      { CHECKPOINT_EVERY_EVENTS: '0', CHECKPOINT_INTERVAL_MS: '1000' },
      3,
    ],
  ])('signs once %s', async (_when, env, count) => {
    const test = await startTestApp({ env });
    try {
      const { position } = await test.eventLog.append('ledger-probe-2', newEvents(count), {
        expectedRevision: 'any',
      });
      await caughtUp(test, position);
      // The signer looks once a second; the checkpoint event is what it appends.
      const signed = await firstCheckpoint(test);
      expect(signed?.data).toMatchObject({ logId: 'attest', treeSize: count });
    } finally {
      await test.close();
    }
  });
});
