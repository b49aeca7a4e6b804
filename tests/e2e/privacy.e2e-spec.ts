import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { addDays, daysBetween } from '../../src/privacy/deletion-request.decider';
import { TestApp, startTestApp } from '../support/test-app';

const BASE = '/api/v1/privacy/deletion-requests';
/** Distinctive raw identifiers: any copy of them outside a request body is a leak. */
const SUBJECT = 'Raw.Subject-7f3c9e@customers.example';
const OTHER_SUBJECT = 'CUST-RAW-0042817-zz';
const SUBJECT_REF = /^hmac-sha256:[0-9a-f]{64}$/;
const UNKNOWN_ID = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';

const utcToday = () => new Date().toISOString().slice(0, 10);

const dataset = (version: string, hashByte: string) => ({
  version,
  contentHash: `sha256:${hashByte.repeat(32)}`,
  rows: 1000,
  schema: [
    { name: 'email', type: 'string', personal: true, sensitive: false, category: 'contact' },
    { name: 'term', type: 'number', personal: false, sensitive: false },
  ],
  location: `s3://lake/loans/${version}.parquet`,
  region: 'ap-southeast-2',
  lawfulBasis: 'consent',
  collectionNotice: 'https://bank.example/notice',
  retention: 'P7Y',
});

const assessment = {
  affected: {
    datasetVersions: [{ name: 'loan-applications', version: '2026-02' }],
    models: [{ name: 'credit-risk', version: '1.4.0' }],
    deployments: ['credit-risk.production'],
  },
  notes: 'present in the February extract',
};

/** Every assessed item accounted for: the dataset replaced, the model and its deployment retrained. */
const fulfilment = {
  replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-02-r1' }],
  retrainedModels: [{ name: 'credit-risk', version: '1.4.1' }],
  exceptions: [],
};

const trainingRun = (model: string, dataset: { name: string; version: string }) => ({
  model,
  datasetVersions: [dataset],
  code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
  algorithm: 'xgboost',
  hyperparameters: { maxDepth: 6 },
});

describe('privacy: deletion requests over HTTP', () => {
  let test: TestApp;
  const logLines: string[] = [];
  let officer: string;
  let admin: string;
  let regulator: string;
  let pipeline: string;
  let scientist: string;

  const eventCount = () => test.countEvents();
  const post = (path: string, auth: string, body: object) =>
    test.anonymous().post(path).set('Authorization', auth).send(body);
  const get = (path: string, auth: string, position?: string) => {
    const call = test.anonymous().get(path).set('Authorization', auth);
    return position ? call.set('X-Ledger-Position', position) : call;
  };

  beforeAll(async () => {
    // Written synchronously, so every line is here as soon as it is logged.
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    test = await startTestApp({ env: { LOG_LEVEL: 'info' }, logStream });
    const bearer = async (sub: string, role: Parameters<TestApp['token']>[1][number]) =>
      `Bearer ${await test.token(sub, [role])}`;
    officer = await bearer('carol', 'compliance-officer');
    admin = await bearer('ann', 'admin');
    regulator = await bearer('rita', 'regulator');
    pipeline = await bearer('ci-pipeline', 'pipeline');
    scientist = await bearer('dana', 'data-scientist');
    for (const [version, byte] of [
      ['2026-02', 'ab'],
      ['2026-02-r1', 'cd'],
    ]) {
      await post(
        '/api/v1/datasets/loan-applications/versions',
        pipeline,
        dataset(version, byte),
      ).expect(201);
    }
    await post('/api/v1/datasets/bureau/versions', pipeline, dataset('2026-02', 'ef')).expect(201);
    // credit-risk 1.4.1 is retrained on the replacement; 1.3.9 on the affected extract.
    for (const [version, trainedOn, byte] of [
      ['1.4.1', '2026-02-r1', '41'],
      ['1.3.9', '2026-02', '39'],
    ]) {
      const run = await post(
        '/api/v1/training-runs',
        scientist,
        trainingRun('credit-risk', { name: 'loan-applications', version: trainedOn }),
      ).expect(201);
      await post(`/api/v1/training-runs/${run.body.id}/completion`, pipeline, {
        metrics: { auc: 0.81 },
        validationApproach: 'out-of-time holdout',
        artifact: {
          uri: 's3://models/credit-risk.onnx',
          digest: `sha256:${byte.repeat(32)}`,
          format: 'onnx',
        },
      }).expect(201);
      await post('/api/v1/models/credit-risk/versions', pipeline, {
        version,
        runId: run.body.id,
        riskTier: 'high',
        decisionClass: 'substantially-assists',
        personalInformationKinds: ['contact'],
        decisions: 'approve or refer a consumer credit application',
        intendedUse: 'consumer credit',
        limitations: [],
        owner: 'head-of-credit-risk',
      }).expect(201);
    }
  });
  afterAll(() => test.close());

  it('takes a request from open through assessed to fulfilled, each step visible in the read view', async () => {
    const received = utcToday();
    const opened = await post(BASE, officer, {
      subjectId: SUBJECT,
      receivedOn: received,
      channel: 'web form',
    }).expect(201);
    expect(opened.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ledgerPosition: expect.any(String),
      eventIds: [expect.any(String)],
    });
    const id: string = opened.body.id;
    const [event] = await test.eventLog.readStream(`deletion-request-${id}`);
    expect(event).toMatchObject({
      type: 'DeletionRequested',
      data: {
        requestId: id,
        subjectRef: expect.stringMatching(SUBJECT_REF),
        receivedOn: received,
        dueOn: addDays(received, 30),
        channel: 'web form',
        requestedBy: 'carol',
      },
      metadata: { actor: { sub: 'carol', roles: ['compliance-officer'] } },
    });

    const open = await get(`${BASE}/${id}`, officer, opened.body.ledgerPosition).expect(200);
    expect(open.body).toMatchObject({
      id,
      subjectRef: event.data.subjectRef,
      receivedOn: received,
      dueOn: addDays(received, 30),
      status: 'open',
      overdue: false,
      affected: null,
      fulfilment: null,
      requestedBy: 'carol',
    });
    expect(open.body.daysLeft).toBeGreaterThanOrEqual(29);

    const assessed = await post(`${BASE}/${id}/assessment`, officer, assessment).expect(201);
    expect(assessed.body).toMatchObject({ id, eventIds: [expect.any(String)] });
    const afterAssessment = await get(
      `${BASE}/${id}`,
      regulator,
      assessed.body.ledgerPosition,
    ).expect(200);
    expect(afterAssessment.body).toMatchObject({
      status: 'assessed',
      affected: assessment.affected,
      notes: assessment.notes,
      assessedBy: 'carol',
      assessedAt: expect.any(String),
    });

    const fulfilled = await post(`${BASE}/${id}/fulfilment`, admin, fulfilment).expect(201);
    const closed = await get(`${BASE}/${id}`, officer, fulfilled.body.ledgerPosition).expect(200);
    expect(closed.body).toMatchObject({
      status: 'fulfilled',
      fulfilment: {
        ...fulfilment,
        replacementDatasetVersions: [
          {
            ...fulfilment.replacementDatasetVersions[0],
            replaces: [assessment.affected.datasetVersions[0]],
          },
        ],
        retrainedModels: [
          { ...fulfilment.retrainedModels[0], replaces: [assessment.affected.models[0]] },
        ],
        accountedFor: [
          {
            kind: 'dataset-version',
            id: 'loan-applications@2026-02',
            by: 'replacement',
            detail: 'loan-applications@2026-02-r1',
          },
          { kind: 'model', id: 'credit-risk@1.4.0', by: 'retraining', detail: 'credit-risk@1.4.1' },
          {
            kind: 'deployment',
            id: 'credit-risk.production',
            by: 'retraining',
            detail: 'credit-risk@1.4.1',
          },
        ],
      },
      fulfilledBy: 'ann',
      daysLeft: null,
      overdue: false,
    });

    // An identical fulfilment again appends nothing; another one is refused: the request is closed.
    const before = await eventCount();
    const repeat = await post(`${BASE}/${id}/fulfilment`, admin, fulfilment).expect(201);
    expect(repeat.body).toEqual({
      id,
      eventIds: [],
      ledgerPosition: fulfilled.body.ledgerPosition,
    });
    const reopened = await post(`${BASE}/${id}/assessment`, officer, assessment).expect(409);
    expect(reopened.body).toMatchObject({ code: 'deletion-request-closed' });
    expect(await eventCount()).toBe(before);

    const list = await get(
      `${BASE}?status=fulfilled`,
      regulator,
      fulfilled.body.ledgerPosition,
    ).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(id);
    expect(list.body.items.every((item: { status: string }) => item.status === 'fulfilled')).toBe(
      true,
    );
  });

  it('fulfils only when every assessed dataset version, model and deployment is accounted for, naming each one left', async () => {
    const opened = await post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }).expect(
      201,
    );
    const id: string = opened.body.id;
    const wide = {
      affected: {
        datasetVersions: [
          { name: 'loan-applications', version: '2026-02' },
          { name: 'bureau', version: '2026-02' },
        ],
        models: [
          { name: 'credit-risk', version: '1.4.0' },
          { name: 'limits', version: '2.0.0' },
        ],
        deployments: ['credit-risk.production'],
      },
    };
    await post(`${BASE}/${id}/assessment`, officer, wide).expect(201);
    const before = await eventCount();
    const fulfil = (body: object) => post(`${BASE}/${id}/fulfilment`, officer, body);
    const nothing = { replacementDatasetVersions: [], retrainedModels: [], exceptions: [] };

    // The reported case: no replacement, no retraining, and an exception about something else.
    const unrelated = await fulfil({
      ...nothing,
      exceptions: [
        {
          covers: { kind: 'dataset-version', id: 'loan-ledger@2019' },
          item: 'loan ledger',
          reason: 'retention obligation (AML/CTF Act s 107)',
        },
      ],
    }).expect(422);
    expect(unrelated.body).toMatchObject({
      code: 'invalid-fulfilment',
      errors: {
        'exceptions.0.covers': [
          'dataset-version loan-ledger@2019 is not an affected item of the assessment',
        ],
      },
    });
    const none = await fulfil(nothing).expect(422);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body).toMatchObject({
      code: 'deletion-items-unaccounted',
      unaccounted: [
        { kind: 'dataset-version', id: 'loan-applications@2026-02' },
        { kind: 'dataset-version', id: 'bureau@2026-02' },
        { kind: 'model', id: 'credit-risk@1.4.0' },
        { kind: 'model', id: 'limits@2.0.0' },
        { kind: 'deployment', id: 'credit-risk.production' },
      ],
    });
    expect(Object.keys(none.body.errors)).toEqual([
      'affected.datasetVersions.0',
      'affected.datasetVersions.1',
      'affected.models.0',
      'affected.models.1',
      'affected.deployments.0',
    ]);
    const partly = await fulfil(fulfilment).expect(422);
    expect(partly.body.unaccounted).toEqual([
      { kind: 'dataset-version', id: 'bureau@2026-02' },
      { kind: 'model', id: 'limits@2.0.0' },
    ]);
    const stale = await fulfil({
      ...fulfilment,
      retrainedModels: [{ name: 'credit-risk', version: '1.3.9' }],
    }).expect(422);
    expect(stale.body).toMatchObject({
      code: 'invalid-fulfilment',
      errors: {
        'retrainedModels.0': [
          'is still trained on affected loan-applications@2026-02',
          'was trained on loan-applications@2026-02: none is a replacement named in this fulfilment',
        ],
      },
    });
    const unregistered = await fulfil({
      ...fulfilment,
      retrainedModels: [{ name: 'credit-risk', version: '9.9.9' }],
    }).expect(422);
    expect(unregistered.body).toMatchObject({
      code: 'unknown-model-version',
      errors: { 'retrainedModels.0': ['credit-risk@9.9.9 is not a registered model version'] },
    });
    const bad = await fulfil({
      ...nothing,
      exceptions: [{ covers: { kind: 'table', id: 'x' }, reason: '  ' }, { reason: 'no cover' }],
    }).expect(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual([
      'exceptions.0.covers.kind',
      'exceptions.0.reason',
      'exceptions.1.covers',
    ]);
    expect(await eventCount()).toBe(before);

    const done = await fulfil({
      ...fulfilment,
      exceptions: [
        {
          covers: { kind: 'dataset-version', id: 'bureau@2026-02' },
          reason: 'bureau’s copy: the bureau is the APP entity to ask',
        },
        {
          covers: { kind: 'model', id: 'limits@2.0.0' },
          item: 'limits 2.0.0 frozen for the regulator’s review',
          reason: 'legal hold (matter 2026-17)',
        },
      ],
    }).expect(201);
    const closed = await get(`${BASE}/${id}`, regulator, done.body.ledgerPosition).expect(200);
    expect(closed.body.fulfilment.exceptions[0]).toEqual({
      item: 'bureau@2026-02',
      reason: 'bureau’s copy: the bureau is the APP entity to ask',
      covers: { kind: 'dataset-version', id: 'bureau@2026-02' },
    });
    expect(
      (closed.body.fulfilment.accountedFor as { id: string; by: string }[]).map(
        (way) => `${way.id} ${way.by}`,
      ),
    ).toEqual([
      'loan-applications@2026-02 replacement',
      'bureau@2026-02 exception',
      'credit-risk@1.4.0 retraining',
      'limits@2.0.0 exception',
      'credit-risk.production retraining',
    ]);
  });

  it('lists overdue requests with negative days left, counted from today', async () => {
    const late = await post(BASE, admin, {
      subjectId: OTHER_SUBJECT,
      receivedOn: addDays(utcToday(), -40),
    }).expect(201);
    const current = await post(BASE, admin, {
      subjectId: OTHER_SUBJECT,
      receivedOn: utcToday(),
    }).expect(201);

    const overdue = await get(`${BASE}?overdue=true`, officer, current.body.ledgerPosition).expect(
      200,
    );
    const row = overdue.body.items.find((item: { id: string }) => item.id === late.body.id);
    expect(row).toMatchObject({ status: 'open', overdue: true, channel: null });
    expect(row.daysLeft).toBe(daysBetween(overdue.body.today, row.dueOn));
    expect(row.daysLeft).toBeLessThan(0);
    expect(overdue.body.items.map((item: { id: string }) => item.id)).not.toContain(
      current.body.id,
    );

    const notOverdue = await get(`${BASE}?overdue=false&status=open`, officer).expect(200);
    const ids = notOverdue.body.items.map((item: { id: string }) => item.id);
    expect(ids).toContain(current.body.id);
    expect(ids).not.toContain(late.body.id);

    // Pages walk the list by due date, oldest first.
    const first = await get(`${BASE}?limit=1`, officer).expect(200);
    expect(first.body.items).toHaveLength(1);
    const second = await get(`${BASE}?limit=1&after=${first.body.nextCursor}`, officer).expect(200);
    expect(second.body.items[0].dueOn >= first.body.items[0].dueOn).toBe(true);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('gives the same subject the same subjectRef, and another subject another', async () => {
    const first = await post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }).expect(
      201,
    );
    // Surrounding spaces do not make another person.
    const second = await post(BASE, officer, {
      subjectId: `  ${SUBJECT} `,
      receivedOn: utcToday(),
    }).expect(201);
    const other = await post(BASE, officer, {
      subjectId: OTHER_SUBJECT,
      receivedOn: utcToday(),
    }).expect(201);
    const view = async (id: string) =>
      (await get(`${BASE}/${id}`, officer, other.body.ledgerPosition).expect(200)).body;
    const [a, b, c] = [
      await view(first.body.id),
      await view(second.body.id),
      await view(other.body.id),
    ];
    expect(a.id).not.toBe(b.id);
    expect(a.subjectRef).toMatch(SUBJECT_REF);
    expect(b.subjectRef).toBe(a.subjectRef);
    expect(c.subjectRef).not.toBe(a.subjectRef);
  });

  it('repeats the request id for a retried Idempotency-Key', async () => {
    const send = () =>
      post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }).set(
        'Idempotency-Key',
        'privacy-retry-1',
      );
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body).toEqual(first.body);
    expect(await test.eventLog.readStream(`deletion-request-${first.body.id}`)).toHaveLength(1);
  });

  it('refuses a future received date, fulfilment before assessment, and unregistered dataset versions, appending nothing', async () => {
    const before = await eventCount();
    const future = await post(BASE, officer, {
      subjectId: SUBJECT,
      receivedOn: addDays(utcToday(), 2),
    }).expect(422);
    expect(future.body).toMatchObject({
      code: 'received-in-future',
      errors: { receivedOn: [expect.any(String)] },
    });
    expect(await eventCount()).toBe(before);

    const opened = await post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }).expect(
      201,
    );
    const id: string = opened.body.id;
    const afterOpen = await eventCount();

    const early = await post(`${BASE}/${id}/fulfilment`, officer, fulfilment).expect(409);
    expect(early.body).toMatchObject({ code: 'deletion-request-not-assessed' });

    const unknown = await post(`${BASE}/${id}/assessment`, officer, {
      affected: {
        ...assessment.affected,
        datasetVersions: [
          { name: 'loan-applications', version: '2026-02' },
          { name: 'loan-applications', version: '1999-01' },
          { name: 'never-registered', version: '1' },
        ],
      },
    }).expect(422);
    expect(unknown.body).toMatchObject({
      code: 'unknown-dataset-version',
      errors: {
        'affected.datasetVersions.1': [
          'loan-applications@1999-01 is not a registered dataset version',
        ],
        'affected.datasetVersions.2': ['never-registered@1 is not a registered dataset version'],
      },
    });
    expect(unknown.body.errors).not.toHaveProperty(['affected.datasetVersions.0']);

    await post(`${BASE}/${id}/assessment`, officer, assessment).expect(201);
    const afterAssessment = await eventCount();
    const unregisteredReplacement = await post(`${BASE}/${id}/fulfilment`, officer, {
      ...fulfilment,
      replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-03' }],
    }).expect(422);
    expect(unregisteredReplacement.body).toMatchObject({
      code: 'unknown-dataset-version',
      errors: { 'replacementDatasetVersions.0': [expect.any(String)] },
    });
    expect(await eventCount()).toBe(afterAssessment);
    expect(afterAssessment).toBe(afterOpen + 1);
  });

  it('answers 404 for an unknown request and 400 naming each bad field', async () => {
    await get(`${BASE}/${UNKNOWN_ID}`, officer).expect(404);
    const missing = await post(`${BASE}/${UNKNOWN_ID}/assessment`, officer, assessment).expect(404);
    expect(missing.body).toMatchObject({ code: 'not-found' });
    await get(`${BASE}/not-a-uuid`, officer).expect(400);

    const before = await eventCount();
    const invalid = await post(BASE, officer, {
      subjectId: '   ',
      receivedOn: '02/03/2026',
      channel: 'x'.repeat(65),
    }).expect(400);
    expect(Object.keys(invalid.body.errors).sort()).toEqual(['channel', 'receivedOn', 'subjectId']);
    const tooLong = await post(BASE, officer, {
      subjectId: 'x'.repeat(257),
      receivedOn: utcToday(),
    }).expect(400);
    expect(tooLong.body.errors).toHaveProperty('subjectId');
    const unknownField = await post(BASE, officer, {
      subjectId: SUBJECT,
      receivedOn: utcToday(),
      name: 'Raw Subject',
    }).expect(400);
    expect(unknownField.body.errors).toHaveProperty('name');
    await post(BASE, officer, { subjectId: SUBJECT, receivedOn: '2026-02-30' }).expect(422);
    await post(`${BASE}/${UNKNOWN_ID}/assessment`, officer, {
      affected: { ...assessment.affected, deployments: ['credit-risk'] },
    }).expect(400);
    await get(`${BASE}?overdue=maybe`, officer).expect(400);
    await get(`${BASE}?status=closed`, officer).expect(400);
    expect(await eventCount()).toBe(before);
  });

  it('lets compliance officers and admins write, regulators only read, and nobody else in', async () => {
    const opened = await post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }).expect(
      201,
    );
    const id: string = opened.body.id;
    const before = await eventCount();
    const writes = [
      { path: BASE, body: { subjectId: SUBJECT, receivedOn: utcToday() } },
      { path: `${BASE}/${id}/assessment`, body: assessment },
      { path: `${BASE}/${id}/fulfilment`, body: fulfilment },
    ];
    const reads = [BASE, `${BASE}/${id}`];
    for (const outsider of [pipeline, scientist]) {
      for (const write of writes) await post(write.path, outsider, write.body).expect(403);
      for (const read of reads) await get(read, outsider).expect(403);
    }
    for (const write of writes) {
      const refused = await post(write.path, regulator, write.body).expect(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    for (const read of reads) await get(read, regulator, opened.body.ledgerPosition).expect(200);
    for (const write of writes)
      await test.anonymous().post(write.path).send(write.body).expect(401);
    expect(await eventCount()).toBe(before);
  });

  it('rebuilds the deletion_requests read model from the ledger with identical rows', async () => {
    const written = await post(BASE, officer, {
      subjectId: SUBJECT,
      receivedOn: utcToday(),
    }).expect(201);
    await get(BASE, officer, written.body.ledgerPosition).expect(200);
    const db = test.app.get(DataSource);
    const rows = () =>
      db.query(`SELECT row_to_json(t)::text AS row FROM deletion_requests t ORDER BY id`);
    const before = await rows();
    expect(before.length).toBeGreaterThan(5);
    await test.runner.stop();
    await test.runner.rebuild(['deletion-requests']);
    expect(await rows()).toEqual(before);
    await test.runner.start();
  });

  it('never stores or logs the raw subject identifier', async () => {
    const position = (await post(BASE, officer, { subjectId: SUBJECT, receivedOn: utcToday() }))
      .body.ledgerPosition as string;
    await get(BASE, officer, position).expect(200);
    const raw = [SUBJECT, OTHER_SUBJECT, SUBJECT.toLowerCase()];

    const ledger = JSON.stringify(
      await test.eventLog.readAll({ maxCount: 10000 }),
      (_key, value) => (typeof value === 'bigint' ? value.toString() : (value as unknown)),
    );
    expect(ledger).toContain('DeletionRequested');

    const db = test.app.get(DataSource);
    const tables = (await db.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toContain('deletion_requests');
    const rows: string[] = [];
    for (const { table_name } of tables) {
      const dump = (await db.query(
        `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
      )) as {
        row: string;
      }[];
      rows.push(...dump.map((r) => r.row));
    }
    expect(rows.join('\n')).toContain('hmac-sha256:');

    // The test app never listens, so Nest's own log lines stay buffered until flushed.
    Logger.flush();
    const logs = logLines.join('\n');
    expect(logLines.some((line) => line.includes('privacy/deletion-requests'))).toBe(true);

    for (const value of raw) {
      expect(ledger).not.toContain(value);
      expect(rows.join('\n')).not.toContain(value);
      expect(logs).not.toContain(value);
    }
  });
});
