import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  DATABASE_HANDLE,
  type DatabaseHandle,
  startEmbedded,
} from '../../src/ledger/database/database-handle';
import { runScript } from '../support/cli';
import { caughtUp, newEvents } from '../support/events';
import { seedSampleHistory } from '../support/sample-history';
import { type TestApp, startTestApp } from '../support/test-app';
import {
  type StoreKind,
  defaultStoreKind,
  type TestDatabase,
  createTestDatabase,
  storeKinds,
  withClient,
} from '../support/test-database';

/**
 * Every table of the integrity log changed behind the service's back with raw SQL, as a rogue
 * DBA could (README, "Integrity log"): GET /ledger/verify and `ledger:verify` name the row, and
 * no inclusion proof built from it is handed out as valid. On each store.
 */

type Sql = (client: Client) => Promise<unknown>;

interface Tampering {
  name: string;
  /** Changes one stored row; returns what puts it back. */
  tamper: (client: Client) => Promise<Sql>;
  /** What GET /ledger/verify names first (tree.firstMismatch). */
  mismatch: () => Record<string, unknown>;
  /** What the CLI prints about it. */
  cli: () => string[];
  /**
   * A request whose answer would rest on the tampered row (an inclusion proof, the latest
   * checkpoint): refused with integrity-violation.
   */
  refused?: () => string;
}

const hex = (buffer: Buffer) => buffer.toString('hex');

/**
 * A tampering by one UPDATE: run with `value` as $1 (and `rest()` after it), it returns the same
 * UPDATE with the value `original` read before the change, which puts the row back.
 */
function replaced(
  update: string,
  value: unknown,
  original: (client: Client) => Promise<unknown>,
  rest: () => unknown[] = () => [],
): (client: Client) => Promise<Sql> {
  return async (client) => {
    const before = await original(client);
    await client.query(update, [value, ...rest()]);
    return (c) => c.query(update, [before, ...rest()]);
  };
}

/** `npm run ledger:verify`. */
const ledgerVerify = (env: Record<string, string>) => runScript('src/cli/ledger-verify.ts', env);

/** The changes ledger:verify is run on: one in each table of the integrity log. */
const CLI_CASES = new Set([
  'integrity_subtrees at level 0',
  'integrity_leaves (the event hash)',
  'ledger_checkpoints (the root)',
  'ledger_signing_keys (the public key)',
]);
/** Of those, what the other store of a two-store run checks: one table of the tree, one of the checkpoints. */
const OTHER_STORE_CLI_CASES = new Set([
  'integrity_leaves (the event hash)',
  'ledger_signing_keys (the public key)',
]);

describe.each(storeKinds())('tampering with the integrity log (%s)', (kind: StoreKind) => {
  let test: TestApp | undefined;
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  /** Where the CLI finds the same ledger. */
  let env: Record<string, string>;
  let url: string;
  let position: string;
  let officer: string;
  /** Leaf index → event id, and the two checkpoints' tree sizes. */
  let eventAt: string[];
  let checkpoints: number[];
  const stored: { level0: Buffer; level2: Buffer; x: string } = {
    level0: Buffer.alloc(0),
    level2: Buffer.alloc(0),
    x: '',
  };

  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase('postgres');
      env = database.env;
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'attest-tamper-'));
      env = { DATA_DIR: dataDir };
    }
    test = await startTestApp({ kind, database, env: dataDir ? { DATA_DIR: dataDir } : {} });
    url = test.app.get<DatabaseHandle>(DATABASE_HANDLE).url;
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    checkpoints = [];
    for (const round of [0, 1]) {
      for (let stream = 0; stream < 4; stream++) {
        ({ position } = await test.eventLog.append(
          `ledger-probe-tamper-${stream}`,
          newEvents(round === 0 ? 10 : 2),
          { expectedRevision: 'any' },
        ));
      }
      await caughtUp(test, position);
      const signed = await test
        .anonymous()
        .post('/api/v1/ledger/checkpoints')
        .set('Authorization', officer)
        .expect(201);
      checkpoints.push(signed.body.checkpoint.treeSize);
      position = signed.body.ledgerPosition;
    }
    await caughtUp(test, position);
    await withClient(url, async (client) => {
      const leaves = await client.query(
        'SELECT event_id FROM integrity_leaves ORDER BY leaf_index',
      );
      eventAt = leaves.rows.map((row: { event_id: string }) => row.event_id);
      const nodes = await client.query(
        'SELECT level, hash FROM integrity_subtrees WHERE (level, index) IN ((0, 4), (2, 1)) ORDER BY level',
      );
      [stored.level0, stored.level2] = nodes.rows.map((row: { hash: Buffer }) => row.hash);
      const keys = await client.query("SELECT public_jwk->>'x' AS x FROM ledger_signing_keys");
      stored.x = keys.rows[0].x;
    });
    // A data dir on disk is created (initdb) before the service starts: slower than memory.
  }, 180_000);

  afterAll(async () => {
    await test?.close();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const latest = () => checkpoints[checkpoints.length - 1];
  const zeros = Buffer.alloc(32);

  const tamperings: Tampering[] = [
    {
      // Not part of any root: before every node was checked, this passed verify.
      name: 'integrity_subtrees at level 0',
      tamper: replaced(
        'UPDATE integrity_subtrees SET hash = $1 WHERE level = 0 AND index = 4',
        zeros,
        async () => stored.level0,
      ),
      mismatch: () => ({
        reason: 'subtree-mismatch',
        table: 'integrity_subtrees',
        level: 0,
        index: 4,
        at: 4,
        column: 'hash',
        expected: hex(stored.level0),
        actual: hex(zeros),
      }),
      cli: () => [
        'first: subtree-mismatch in integrity_subtrees level 0 index 4 column hash',
        `expected ${hex(stored.level0)}`,
        `stored   ${hex(zeros)}`,
      ],
      // Leaf 5's audit path starts with its sibling, leaf 4.
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[5]}`,
    },
    {
      name: 'integrity_subtrees at level 2',
      tamper: replaced(
        'UPDATE integrity_subtrees SET hash = $1 WHERE level = 2 AND index = 1',
        zeros,
        async () => stored.level2,
      ),
      mismatch: () => ({
        reason: 'subtree-mismatch',
        table: 'integrity_subtrees',
        level: 2,
        index: 1,
        at: 4,
        expected: hex(stored.level2),
        actual: hex(zeros),
      }),
      cli: () => ['first: subtree-mismatch in integrity_subtrees level 2 index 1 column hash'],
      // Leaves 4..7 are the third node of leaf 0's path, and its treeSize has no checkpoint.
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[0]}?treeSize=${latest() - 1}`,
    },
    {
      name: 'a missing subtree',
      tamper: async (client) => {
        await client.query('DELETE FROM integrity_subtrees WHERE level = 0 AND index = 4');
        return (c) =>
          c.query('INSERT INTO integrity_subtrees (level, index, hash) VALUES (0, 4, $1)', [
            stored.level0,
          ]);
      },
      mismatch: () => ({
        reason: 'missing-subtree',
        table: 'integrity_subtrees',
        level: 0,
        index: 4,
        actual: 'no row',
      }),
      cli: () => ['first: missing-subtree in integrity_subtrees level 0 index 4'],
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[5]}`,
    },
    {
      name: 'a subtree no tree has',
      tamper: async (client) => {
        await client.query(
          'INSERT INTO integrity_subtrees (level, index, hash) VALUES (20, 0, $1)',
          [zeros],
        );
        return (c) => c.query('DELETE FROM integrity_subtrees WHERE level = 20');
      },
      mismatch: () => ({
        reason: 'unexpected-subtree',
        table: 'integrity_subtrees',
        level: 20,
        index: 0,
      }),
      cli: () => ['first: unexpected-subtree in integrity_subtrees level 20 index 0'],
    },
    {
      name: 'integrity_leaves (the event hash)',
      tamper: replaced(
        'UPDATE integrity_leaves SET event_hash = $1 WHERE leaf_index = 3',
        'ab'.repeat(32),
        async (client) =>
          (await client.query('SELECT event_hash FROM integrity_leaves WHERE leaf_index = 3'))
            .rows[0].event_hash,
      ),
      mismatch: () => ({
        reason: 'leaf-mismatch',
        table: 'integrity_leaves',
        at: 3,
        index: 3,
        column: 'event_hash',
        eventId: eventAt[3],
        actual: 'ab'.repeat(32),
      }),
      cli: () => [
        `first: leaf-mismatch in integrity_leaves leaf 3 column event_hash (event ${eventAt[3]})`,
      ],
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[3]}`,
    },
    {
      name: 'integrity_leaves (the place of the event)',
      tamper: async (client) => {
        await client.query(
          'UPDATE integrity_leaves SET revision = revision + 1 WHERE leaf_index = 2',
        );
        return (c) =>
          c.query('UPDATE integrity_leaves SET revision = revision - 1 WHERE leaf_index = 2');
      },
      mismatch: () => ({
        reason: 'leaf-mismatch',
        table: 'integrity_leaves',
        index: 2,
        column: 'revision',
      }),
      cli: () => ['first: leaf-mismatch in integrity_leaves leaf 2 column revision'],
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[2]}`,
    },
    {
      name: 'ledger_checkpoints (the root)',
      tamper: replaced(
        'UPDATE ledger_checkpoints SET root_hash = $1 WHERE tree_size = $2',
        'cd'.repeat(32),
        async (client) =>
          (
            await client.query('SELECT root_hash FROM ledger_checkpoints WHERE tree_size = $1', [
              latest(),
            ])
          ).rows[0].root_hash,
        () => [latest()],
      ),
      mismatch: () => ({
        reason: 'checkpoint-row-mismatch',
        table: 'ledger_checkpoints',
        index: latest(),
        column: 'root_hash',
        actual: 'cd'.repeat(32),
      }),
      cli: () => [
        `first: checkpoint-row-mismatch in ledger_checkpoints tree size ${latest()} column root_hash`,
      ],
      // The changed row would be handed out as the latest checkpoint.
      refused: () => '/api/v1/ledger/checkpoints/latest',
    },
    {
      name: 'ledger_checkpoints (a row removed)',
      tamper: async (client) => {
        const { rows } = await client.query(
          'SELECT * FROM ledger_checkpoints WHERE tree_size = $1',
          [checkpoints[0]],
        );
        await client.query('DELETE FROM ledger_checkpoints WHERE tree_size = $1', [checkpoints[0]]);
        const row = rows[0];
        return (c) =>
          c.query(
            `INSERT INTO ledger_checkpoints (tree_size, root_hash, log_id, signed_at, key_id, jws, event_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              row.tree_size,
              row.root_hash,
              row.log_id,
              row.signed_at,
              row.key_id,
              row.jws,
              row.event_id,
            ],
          );
      },
      mismatch: () => ({
        reason: 'checkpoint-row-missing',
        table: 'ledger_checkpoints',
        index: checkpoints[0],
        actual: 'no row',
      }),
      cli: () => [
        `first: checkpoint-row-missing in ledger_checkpoints tree size ${checkpoints[0]}`,
      ],
    },
    {
      name: 'ledger_signing_keys (the public key)',
      tamper: replaced(
        `UPDATE ledger_signing_keys SET public_jwk = jsonb_set(public_jwk, '{x}', to_jsonb($1::text))`,
        'A'.repeat(43),
        async () => stored.x,
      ),
      mismatch: () => ({
        reason: 'signing-key-row-mismatch',
        table: 'ledger_signing_keys',
        column: 'public_jwk',
      }),
      cli: () => ['first: signing-key-row-mismatch in ledger_signing_keys key of event'],
      // The checkpoint no longer verifies against the keys the service publishes.
      refused: () => `/api/v1/ledger/proofs/inclusion/${eventAt[0]}`,
    },
  ];

  /** GET /ledger/verify once every projection has passed the newest event. */
  async function verify(): Promise<{ ok: boolean; tree: Record<string, unknown> }> {
    await caughtUp(test!, position);
    return (await test!.http().get('/api/v1/ledger/verify').expect(200)).body;
  }

  it('finds the untouched log intact, every node counted', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, tree: { ok: true, firstMismatch: null } });
    // Every complete subtree of the tree: n leaves give n + n/2 + n/4 + … of them.
    let nodes = 0;
    for (let width = 1; width <= eventAt.length; width *= 2)
      nodes += Math.floor(eventAt.length / width);
    expect(report.tree).toMatchObject({
      leavesChecked: eventAt.length,
      subtreesChecked: nodes,
      checkpointsChecked: 2,
      checkpointRowsChecked: 2,
      signingKeyRowsChecked: 1,
    });
    await test!.http().get(`/api/v1/ledger/proofs/inclusion/${eventAt[5]}`).expect(200);
  });

  it.each(tamperings.map((t) => [t.name, t] as const))(
    'names %s in GET /ledger/verify and refuses proofs built on it',
    async (_name, tampering) => {
      const restore = await withClient(url, tampering.tamper);
      try {
        const report = await verify();
        expect(report.ok).toBe(false);
        expect(report.tree).toMatchObject({ ok: false, firstMismatch: tampering.mismatch() });
        if (tampering.refused) {
          const refused = await test!.http().get(tampering.refused()).expect(500);
          expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(refused.body).toMatchObject({ status: 500, code: 'integrity-violation' });
          expect(JSON.stringify(refused.body)).not.toMatch(/\bat .*\.ts:\d+/);
        }
      } finally {
        await withClient(url, restore);
      }
      expect((await verify()).ok).toBe(true);
      if (tampering.refused) await test!.http().get(tampering.refused()).expect(200);
    },
  );

  it('is named by ledger:verify too, which exits 1, in each table', async () => {
    // The embedded store has one owner at a time: the CLI opens it once the service is gone.
    await test!.close();
    test = undefined;
    const open = async <T>(work: (url: string) => Promise<T>): Promise<T> => {
      if (database) return work(database.url);
      const handle = await startEmbedded(dataDir as string);
      try {
        return await work(handle.url);
      } finally {
        await handle.close();
      }
    };
    const intact = await ledgerVerify(env);
    expect(intact.stdout).toMatch(
      /^ledger intact: .* integrity tree matches \(\d+ leaves, \d+ subtrees, 2 signed checkpoints\)/,
    );
    expect(intact.code).toBe(0);
    // Each store opening puts the last row back and changes the next (the embedded store is
    // slow to open), and the ledger must verify again once the last is put back.
    // One change per table: the command runs the same check as GET /ledger/verify above, which
    // meets every change; each run is a process loading the service's code.
    // The other store of a run with both (CI) runs two of them: the command is the same code on
    // either, and each run there opens the embedded store again, the slow part.
    const cases = kind === defaultStoreKind() ? CLI_CASES : OTHER_STORE_CLI_CASES;
    const perTable = tamperings.filter((tampering) => cases.has(tampering.name));
    expect(perTable).toHaveLength(cases.size);
    let restore: Sql | undefined;
    for (const tampering of perTable) {
      const previous = restore;
      restore = await open((url) =>
        withClient(url, async (client) => {
          await previous?.(client);
          return tampering.tamper(client);
        }),
      );
      const result = await ledgerVerify(env);
      expect({ name: tampering.name, code: result.code }).toEqual({
        name: tampering.name,
        code: 1,
      });
      expect(result.stdout).toContain('integrity log MISMATCH');
      for (const line of tampering.cli()) expect(result.stdout).toContain(line);
    }
    const last = restore as Sql;
    await open((url) => withClient(url, last));
    expect((await ledgerVerify(env)).code).toBe(0);
    // A process per run, each loading the service's code: more than the default minute.
  }, 600_000);
});

describe('an audit pack over a tampered node', () => {
  let test: TestApp;
  let position: string;
  beforeAll(async () => {
    test = await startTestApp();
    ({ position } = await seedSampleHistory(test));
  });
  afterAll(() => test.close());

  const download = async (query: string, status: number) => {
    await caughtUp(test, position);
    return test
      .http()
      .get(`/api/v1/models/scorer/versions/1.0.0/audit-pack${query}`)
      .buffer(true)
      .expect(status);
  };

  it('is refused with integrity-violation, in either format, rather than carry a proof that fails offline', async () => {
    const intact = await download('?format=json', 200);
    const bundle = JSON.parse(intact.text) as { events: { leafIndex: number }[] };
    // The sibling of a cited leaf: the first node of that leaf's audit path.
    const sibling = bundle.events[0].leafIndex ^ 1;
    const url = test.app.get<DatabaseHandle>(DATABASE_HANDLE).url;
    const [node] = await withClient(
      url,
      async (client) =>
        (
          await client.query('SELECT hash FROM integrity_subtrees WHERE level = 0 AND index = $1', [
            sibling,
          ])
        ).rows as { hash: Buffer }[],
    );
    const setNode = (hash: Buffer) =>
      withClient(url, (client) =>
        client.query('UPDATE integrity_subtrees SET hash = $1 WHERE level = 0 AND index = $2', [
          hash,
          sibling,
        ]),
      );
    await setNode(Buffer.alloc(32));
    // The PDF is written to a temporary directory: a refused one must leave none behind.
    const temporary = await mkdtemp(join(tmpdir(), 'attest-tamper-tmp-'));
    const previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = temporary;
    try {
      for (const query of ['?format=json', '']) {
        const refused = await download(query, 500);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(refused.text)).toMatchObject({
          status: 500,
          code: 'integrity-violation',
        });
      }
      expect(await readdir(temporary)).toEqual([]);
    } finally {
      if (previousTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previousTmp;
      await rm(temporary, { recursive: true, force: true });
      await setNode(node.hash);
    }
    await download('?format=json', 200);
  });
});
