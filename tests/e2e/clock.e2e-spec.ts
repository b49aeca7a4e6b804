import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

/** History is recorded at the application's clock, so tests can replay months in one run. */
describe('an injected clock', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
  });
  afterAll(() => test.close());

  it('dates events at the clock, and counts deadlines from it', async () => {
    const officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    const written = await test
      .anonymous()
      .post('/api/v1/privacy/deletion-requests')
      .set('Authorization', officer)
      .send({ subjectId: 'customer-1', receivedOn: '2026-01-05' })
      .expect(201);
    const [event] = await test.eventLog.readStream(`deletion-request-${written.body.id}`);
    expect(event.metadata.occurredAt).toBe('2026-01-05T09:00:00.000Z');
    const read = async () =>
      (
        await test
          .http()
          .get(`/api/v1/privacy/deletion-requests/${written.body.id}`)
          .set('X-Ledger-Position', written.body.ledgerPosition)
          .expect(200)
      ).body;
    expect(await read()).toMatchObject({ dueOn: '2026-02-04', overdue: false, daysLeft: 30 });
    time.advanceDays(40);
    expect(await read()).toMatchObject({ overdue: true, daysLeft: -10 });
  });
});
