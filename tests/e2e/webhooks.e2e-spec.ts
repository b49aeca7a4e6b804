import { Global, Module } from '@nestjs/common';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { WebhookDeliverer } from '../../src/webhooks/webhook-deliverer';
import { WEBHOOK_RETRY_DELAY } from '../../src/webhooks/webhook-retry';
import { deploymentSeeds } from '../support/deployment-seeds';
import { TestApp, startTestApp } from '../support/test-app';
import { createTestDatabase, storeKinds } from '../support/test-database';

/** One request the receiver got, as it arrived. */
type Received = { headers: IncomingHttpHeaders; body: string; answered: number };

/**
 * A real HTTP receiver on 127.0.0.1: it answers each request with the next status of `plan`
 * (then 204 once the plan is used up) and keeps what it was sent.
 */
async function startReceiver(plan: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = plan.shift() ?? 204;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString(), answered });
      response.statusCode = answered;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    plan,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits for a condition, polling, failing after a deadline (no fixed sleeps). */
async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The retry delay tests set: 0 retries at the next poll; more than the retry window gives up. */
const retry = { delayMs: 0 };

@Global()
@Module({
  providers: [{ provide: WEBHOOK_RETRY_DELAY, useValue: () => retry.delayMs }],
  exports: [WEBHOOK_RETRY_DELAY],
})
class ImmediateRetryModule {}

const ENV = {
  WEBHOOK_POLL_INTERVAL_MS: '20',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_RETRY_FOR_MS: '60000',
  RETRAINING_CHECK_INTERVAL_MS: '0',
};

type Delivery = {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  log: { attempt: number; statusCode: number | null; outcome: string; error: string | null }[];
};

describe('webhooks', () => {
  let test: TestApp;
  let admin: string;
  let dataScientist: string;

  beforeAll(async () => {
    test = await startTestApp({ env: ENV, imports: [ImmediateRetryModule] });
    admin = `Bearer ${await test.token('ada', ['admin'])}`;
    dataScientist = `Bearer ${await test.token('dana', ['data-scientist'])}`;
    await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.0.0');
  });
  afterAll(() => test.close());
  beforeEach(() => (retry.delayMs = 0));
  // Each test's subscriptions end with it, so no receiver a test closed is retried in the next.
  afterEach(async () => {
    const listed = await test.anonymous().get('/api/v1/webhooks').set('Authorization', admin);
    for (const { id } of listed.body.webhooks as { id: string }[]) {
      await test
        .anonymous()
        .delete(`/api/v1/webhooks/${id}`)
        .set('Authorization', admin)
        .expect(204);
    }
  });

  const subscribe = (body: object, auth = admin) =>
    test.anonymous().post('/api/v1/webhooks').set('Authorization', auth).send(body);

  const triggerRetraining = async (note: string) => {
    const written = await test
      .anonymous()
      .post('/api/v1/models/credit-risk/retraining-triggers')
      .set('Authorization', dataScientist)
      .send({ note })
      .expect(201);
    return written.body as { eventIds: string[]; ledgerPosition: string };
  };

  const deliveries = async (webhookId: string): Promise<Delivery[]> =>
    (
      await test
        .anonymous()
        .get(`/api/v1/webhooks/${webhookId}/deliveries`)
        .set('Authorization', admin)
        .expect(200)
    ).body.deliveries as Delivery[];

  it('lets only an admin subscribe, list, read deliveries and delete', async () => {
    for (const roles of [['risk-manager'], ['pipeline'], ['regulator'], ['compliance-officer']]) {
      const bearer = `Bearer ${await test.token('someone', roles as never)}`;
      const url = 'https://pipelines.example/hook';
      expect((await subscribe({ url, eventTypes: ['*'] }, bearer)).status).toBe(403);
      const list = await test.anonymous().get('/api/v1/webhooks').set('Authorization', bearer);
      expect(list.status).toBe(403);
    }
    const created = await subscribe({ url: 'https://pipelines.example/hook', eventTypes: ['*'] });
    expect(created.status).toBe(201);
    const other = `Bearer ${await test.token('rick', ['risk-manager'])}`;
    await test
      .anonymous()
      .get(`/api/v1/webhooks/${created.body.id}/deliveries`)
      .set('Authorization', other)
      .expect(403);
    await test
      .anonymous()
      .delete(`/api/v1/webhooks/${created.body.id}`)
      .set('Authorization', other)
      .expect(403);
    await test
      .anonymous()
      .delete(`/api/v1/webhooks/${created.body.id}`)
      .set('Authorization', admin)
      .expect(204);
    // A repeat changes nothing; an id never subscribed is unknown.
    await test
      .anonymous()
      .delete(`/api/v1/webhooks/${created.body.id}`)
      .set('Authorization', admin)
      .expect(204);
    await test
      .anonymous()
      .delete('/api/v1/webhooks/0190f1a2-0000-7000-8000-000000000000')
      .set('Authorization', admin)
      .expect(404);
    await test
      .anonymous()
      .delete('/api/v1/webhooks/not-an-id')
      .set('Authorization', admin)
      .expect(400);
  });

  it('answers a retried subscription with its Idempotency-Key once, making one', async () => {
    const send = () =>
      subscribe({ url: 'https://pipelines.example/once', eventTypes: ['RetrainingTriggered'] })
        .set('Idempotency-Key', 'subscribe-once')
        .expect(201);
    const [first, again] = [await send(), await send()];
    expect(again.body).toEqual(first.body);
    const listed = await test.anonymous().get('/api/v1/webhooks').set('Authorization', admin);
    const once = listed.body.webhooks.filter(
      (item: { url: string }) => item.url === 'https://pipelines.example/once',
    );
    expect(once).toHaveLength(1);
    await test.anonymous().delete(`/api/v1/webhooks/${first.body.id}`).set('Authorization', admin);
  });

  it('refuses a URL that is not http(s) and unknown event types with 400 naming the field, keeping nothing', async () => {
    const before = (
      await test.anonymous().get('/api/v1/webhooks').set('Authorization', admin).expect(200)
    ).body.webhooks.length;
    for (const url of [
      'ftp://pipelines.example/hook',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'pipelines.example/hook',
      'https://user:pass@pipelines.example/hook',
      '',
      42,
    ]) {
      const refused = await subscribe({ url, eventTypes: ['RetrainingTriggered'] });
      expect({
        url,
        status: refused.status,
        fields: Object.keys(refused.body.errors ?? {}),
      }).toEqual({ url, status: 400, fields: ['url'] });
    }
    for (const eventTypes of [
      ['NoSuchEvent'],
      [],
      ['*', 'RetrainingTriggered'],
      'RetrainingTriggered',
    ]) {
      const refused = await subscribe({ url: 'https://pipelines.example/hook', eventTypes });
      expect({
        eventTypes,
        status: refused.status,
        fields: Object.keys(refused.body.errors ?? {}),
      }).toEqual({ eventTypes, status: 400, fields: ['eventTypes'] });
    }
    const after = (
      await test.anonymous().get('/api/v1/webhooks').set('Authorization', admin).expect(200)
    ).body.webhooks.length;
    expect(after).toBe(before);
  });

  it('answers the secret once, a whsec_ key of 32 random bytes, and lists without it', async () => {
    const created = await subscribe({
      url: 'http://127.0.0.1:9/unused',
      eventTypes: ['DeploymentRolledBack'],
      description: 'rollbacks to the on-call pipeline',
    }).expect(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const listed = await test.anonymous().get('/api/v1/webhooks').set('Authorization', admin);
    const mine = listed.body.webhooks.find((item: { id: string }) => item.id === created.body.id);
    expect(mine).toEqual({
      id: created.body.id,
      url: 'http://127.0.0.1:9/unused',
      eventTypes: ['DeploymentRolledBack'],
      description: 'rollbacks to the on-call pipeline',
      createdBy: 'ada',
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    await test
      .anonymous()
      .delete(`/api/v1/webhooks/${created.body.id}`)
      .set('Authorization', admin);
  });

  it('delivers every event to a receiver that fails then recovers, the same webhook-id on the retry, signed', async () => {
    const receiver = await startReceiver([500, 503]);
    try {
      const created = await subscribe({ url: receiver.url, eventTypes: ['RetrainingTriggered'] });
      const { id, secret } = created.body as { id: string; secret: string };
      const first = await triggerRetraining('bureau bands changed');
      // Not subscribed to: never sent.
      await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.1.0');
      const second = await triggerRetraining('quarterly refresh');
      const eventIds = [...first.eventIds, ...second.eventIds];

      await until(
        () =>
          new Set(receiver.received.filter((r) => r.answered === 204).map((r) => r.body)).size ===
          2,
        'both deliveries',
      );
      const verifier = new Webhook(secret);
      const payloads = receiver.received.map((request) => {
        expect(request.headers['content-type']).toBe('application/json');
        return verifier.verify(request.body, request.headers as Record<string, string>) as Record<
          string,
          unknown
        >;
      });
      expect(new Set(payloads.map((p) => p.id))).toEqual(new Set(eventIds));
      for (const payload of payloads) {
        expect(Object.keys(payload).sort()).toEqual(
          ['id', 'ledgerPosition', 'occurredAt', 'stream', 'type'].sort(),
        );
        expect(payload).toMatchObject({
          type: 'RetrainingTriggered',
          stream: 'retraining-credit-risk',
        });
      }
      // The failed attempts were retried under the same webhook-id.
      const idsByEvent = new Map<unknown, Set<string>>();
      receiver.received.forEach((request, index) => {
        const ids = idsByEvent.get(payloads[index].id) ?? new Set<string>();
        ids.add(String(request.headers['webhook-id']));
        idsByEvent.set(payloads[index].id, ids);
      });
      expect([...idsByEvent.values()].map((ids) => ids.size)).toEqual([1, 1]);
      expect(receiver.received).toHaveLength(4);
      expect(receiver.received.map((r) => r.answered).sort()).toEqual([204, 204, 500, 503]);

      // A tampered body or another secret does not verify.
      const [one] = receiver.received;
      expect(() =>
        verifier.verify(one.body.replace('Retraining', 'Xetraining'), one.headers as never),
      ).toThrow();

      // The delivery log: every attempt, with its status and outcome.
      await until(
        async () => (await deliveries(id)).every((d) => d.status === 'delivered'),
        'the log to show both delivered',
      );
      const log = await deliveries(id);
      expect(log.map((d) => d.eventId).sort()).toEqual([...eventIds].sort());
      const attempts = log.flatMap((d) => d.log.map((a) => [a.statusCode, a.outcome]));
      expect(attempts.sort()).toEqual(
        [
          [204, 'delivered'],
          [204, 'delivered'],
          [500, 'retry'],
          [503, 'retry'],
        ].sort(),
      );
      for (const delivery of log) {
        expect(receiver.received.some((r) => r.headers['webhook-id'] === delivery.id)).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  });

  it('sends a subscriber only the event types it filters for, and everything to *', async () => {
    const registrations = await startReceiver();
    const everything = await startReceiver();
    try {
      const models = await subscribe({
        url: registrations.url,
        eventTypes: ['ModelVersionRegistered'],
      }).expect(201);
      await subscribe({ url: everything.url, eventTypes: ['*'] }).expect(201);
      await triggerRetraining('filter check');
      await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.2.0');
      await until(() => registrations.received.length === 1, 'the registration');
      await until(
        () =>
          everything.received.some((r) => r.body.includes('"ModelVersionRegistered"')) &&
          everything.received.some((r) => r.body.includes('"RetrainingTriggered"')),
        'every event to *',
      );
      const verifier = new Webhook(models.body.secret as string);
      const payload = verifier.verify(
        registrations.received[0].body,
        registrations.received[0].headers as Record<string, string>,
      );
      expect(payload).toMatchObject({
        type: 'ModelVersionRegistered',
        stream: 'model-credit-risk',
      });
    } finally {
      await registrations.close();
      await everything.close();
    }
  });

  it('gives up once the retry window has passed, and records it', async () => {
    retry.delayMs = 600_000; // past WEBHOOK_RETRY_FOR_MS: the first failure is the last
    const receiver = await startReceiver([500]);
    try {
      const created = await subscribe({ url: receiver.url, eventTypes: ['RetrainingTriggered'] });
      await triggerRetraining('failing receiver');
      await until(
        async () => (await deliveries(created.body.id as string))[0]?.status === 'failed',
        'the delivery to fail',
      );
      const [delivery] = await deliveries(created.body.id as string);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });
      expect(delivery.log).toEqual([
        expect.objectContaining({
          attempt: 1,
          statusCode: 500,
          outcome: 'failed',
          nextAttemptAt: null,
        }),
      ]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('records a receiver that cannot be reached by its error class, never its message', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close(); // nothing listens there now
    retry.delayMs = 600_000;
    const created = await subscribe({ url, eventTypes: ['RetrainingTriggered'] });
    await triggerRetraining('unreachable receiver');
    await until(
      async () => (await deliveries(created.body.id as string))[0]?.status === 'failed',
      'the delivery to fail',
    );
    const [delivery] = await deliveries(created.body.id as string);
    expect(delivery.log[0]).toMatchObject({ statusCode: null, error: 'ECONNREFUSED' });
  });

  it('gives up on a receiver that does not answer within WEBHOOK_TIMEOUT_MS and records a timeout', async () => {
    retry.delayMs = 600_000;
    const held: ServerResponse[] = [];
    const server = createServer((_request, response) => held.push(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const created = await subscribe({
        url: `http://127.0.0.1:${port}/slow`,
        eventTypes: ['RetrainingTriggered'],
      });
      await triggerRetraining('slow receiver');
      await until(
        async () => (await deliveries(created.body.id as string))[0]?.status === 'failed',
        'the attempt to time out',
      );
      const [delivery] = await deliveries(created.body.id as string);
      expect(delivery.log).toEqual([
        expect.objectContaining({ statusCode: null, error: 'timeout', outcome: 'failed' }),
      ]);
      expect(held).toHaveLength(1);
    } finally {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('stops sending to a deleted webhook: new events are not queued, its secret is dropped', async () => {
    const receiver = await startReceiver();
    try {
      const created = await subscribe({ url: receiver.url, eventTypes: ['RetrainingTriggered'] });
      const id = created.body.id as string;
      await test
        .anonymous()
        .delete(`/api/v1/webhooks/${id}`)
        .set('Authorization', admin)
        .expect(204);
      const after = await triggerRetraining('after the delete');
      expect(await test.runner.waitFor(after.ledgerPosition, 10_000)).toBe(true);
      const rows: unknown[] = await test.app
        .get(DataSource)
        .query('SELECT 1 FROM webhook_deliveries WHERE webhook_id = $1', [id]);
      expect(rows).toEqual([]);
      const secret: { secret: string | null }[] = await test.app
        .get(DataSource)
        .query('SELECT secret FROM webhooks WHERE webhook_id = $1', [id]);
      expect(secret).toEqual([{ secret: null }]);
      await test
        .anonymous()
        .get(`/api/v1/webhooks/${id}/deliveries`)
        .set('Authorization', admin)
        .expect(404);
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('cancels the deliveries a deleted webhook still had to make', async () => {
    retry.delayMs = 30_000; // within the retry window: the delivery waits for its next attempt
    const receiver = await startReceiver([500]);
    try {
      const created = await subscribe({ url: receiver.url, eventTypes: ['RetrainingTriggered'] });
      const id = created.body.id as string;
      await triggerRetraining('deleted while pending');
      await until(
        async () => (await deliveries(id))[0]?.log.length === 1,
        'the first attempt to be logged',
      );
      expect((await deliveries(id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      await test
        .anonymous()
        .delete(`/api/v1/webhooks/${id}`)
        .set('Authorization', admin)
        .expect(204);
      const db = test.app.get(DataSource);
      // Due now, as if its wait were over: nothing is sent all the same.
      await db.query(
        'UPDATE webhook_deliveries SET next_attempt_at = now() WHERE webhook_id = $1',
        [id],
      );
      await test.app.get(WebhookDeliverer).drain();
      const rows: { status: string; attempts: number }[] = await db.query(
        'SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = $1',
        [id],
      );
      expect(rows).toEqual([{ status: 'cancelled', attempts: 1 }]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('sends each due delivery once when rounds race in one process', async () => {
    const receiver = await startReceiver();
    try {
      await subscribe({ url: receiver.url, eventTypes: ['RetrainingTriggered'] }).expect(201);
      const deliverer = test.app.get(WebhookDeliverer);
      const written = await Promise.all(
        Array.from({ length: 10 }, (_, i) => triggerRetraining(`race ${i}`)),
      );
      await Promise.all([deliverer.drain(), deliverer.drain(), deliverer.drain()]);
      await until(() => receiver.received.length >= 10, 'ten deliveries');
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(written.length);
    } finally {
      await receiver.close();
    }
  });
});

/** Stores whose database outlives an app, so one can be restarted on it: PostgreSQL only. */
const restartable = storeKinds().filter((kind) => kind === 'postgres');

if (restartable.length > 0)
  describe.each(restartable)('webhook deliveries across restarts and replicas (%s)', (kind) => {
    it('sends after a restart what was queued, and queues what was recorded while none ran', async () => {
      const database = await createTestDatabase(kind);
      const receiver = await startReceiver();
      // The first app never polls (60 s): its delivery is still pending when it stops.
      const idle = { ...ENV, WEBHOOK_POLL_INTERVAL_MS: '60000' };
      let test: TestApp | undefined = await startTestApp({ kind, database, env: idle });
      try {
        const admin = `Bearer ${await test.token('ada', ['admin'])}`;
        await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.0.0');
        const created = await test
          .anonymous()
          .post('/api/v1/webhooks')
          .set('Authorization', admin)
          .send({ url: receiver.url, eventTypes: ['RetrainingTriggered'] })
          .expect(201);
        const trigger = async (app: TestApp, note: string) =>
          (
            await app
              .anonymous()
              .post('/api/v1/models/credit-risk/retraining-triggers')
              // Each app signs with its own development key: a token from this app.
              .set('Authorization', `Bearer ${await app.token('dana', ['data-scientist'])}`)
              .send({ note })
              .expect(201)
          ).body as { eventIds: string[]; ledgerPosition: string };
        const queued = await trigger(test, 'queued before the restart');
        expect(await test.runner.waitFor(queued.ledgerPosition, 10_000)).toBe(true);
        const pending: { status: string; attempts: number }[] = await test.app
          .get(DataSource)
          .query('SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = $1', [
            created.body.id,
          ]);
        expect(pending).toEqual([{ status: 'pending', attempts: 0 }]);
        await test.close();

        // An app whose projections do not run records an event the outbox has not seen.
        test = await startTestApp({ kind, database, env: idle, startProjections: false });
        const unseen = await trigger(test, 'recorded while no outbox ran');
        await test.close();

        test = await startTestApp({ kind, database, env: ENV });
        await until(() => receiver.received.length >= 2, 'both deliveries after the restart');
        const verifier = new Webhook(created.body.secret as string);
        const sent = receiver.received.map(
          (r) =>
            (verifier.verify(r.body, r.headers as Record<string, string>) as { id: string }).id,
        );
        expect(sent.sort()).toEqual([...queued.eventIds, ...unseen.eventIds].sort());
      } finally {
        await test?.close();
        await receiver.close();
        await database.close();
      }
    });

    it('sends each delivery once when two replicas deliver at the same time', async () => {
      const database = await createTestDatabase(kind);
      const receiver = await startReceiver();
      const idle = { ...ENV, WEBHOOK_POLL_INTERVAL_MS: '60000' };
      const one = await startTestApp({ kind, database, env: idle });
      const two = await startTestApp({ kind, database, env: idle });
      try {
        const admin = `Bearer ${await one.token('ada', ['admin'])}`;
        const dana = `Bearer ${await one.token('dana', ['data-scientist'])}`;
        await deploymentSeeds(one.eventLog).registerModelVersion('credit-risk', '1.0.0');
        await one
          .anonymous()
          .post('/api/v1/webhooks')
          .set('Authorization', admin)
          .send({ url: receiver.url, eventTypes: ['RetrainingTriggered'] })
          .expect(201);
        let last = '';
        for (let i = 0; i < 40; i++) {
          const written = await one
            .anonymous()
            .post('/api/v1/models/credit-risk/retraining-triggers')
            .set('Authorization', dana)
            .send({ note: `replica race ${i}` })
            .expect(201);
          last = written.body.ledgerPosition as string;
        }
        expect(await one.runner.waitFor(last, 10_000)).toBe(true);
        expect(await two.runner.waitFor(last, 10_000)).toBe(true);
        const [queued]: { n: string }[] = await one.app
          .get(DataSource)
          .query("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'");
        expect(Number(queued.n)).toBe(40);

        const attempted = await Promise.all([
          one.app.get(WebhookDeliverer).drain(),
          two.app.get(WebhookDeliverer).drain(),
          one.app.get(WebhookDeliverer).drain(),
          two.app.get(WebhookDeliverer).drain(),
        ]);
        expect(attempted.reduce((a, b) => a + b, 0)).toBe(40);
        const ids = receiver.received.map((r) => r.headers['webhook-id']);
        expect(ids).toHaveLength(40);
        expect(new Set(ids).size).toBe(40);
      } finally {
        await one.close();
        await two.close();
        await receiver.close();
        await database.close();
      }
    });
  });
