import {
  APPROVAL_2,
  deployed,
  promoted,
  retired,
  rolledBack,
} from '../../tests/support/deployment-events';
import { type ProjectionSpec, projectionSpec } from '../../tests/support/projection-spec';
import type { RecordedEvent } from '../ledger/event-log.port';
import type { Projection } from '../ledger/projections/projection';
import { WebhookOutboxProjection, deliveryIdOf } from './webhook-outbox.projection';

const HOOK_DEPLOYS = '01950000-0000-7000-8000-00000000b001';
const HOOK_ALL = '01950000-0000-7000-8000-00000000b002';
const HOOK_RETIRED = '01950000-0000-7000-8000-00000000b003';
const HOOK_DELETED = '01950000-0000-7000-8000-00000000b004';

type Delivery = {
  delivery_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
};

describe('WebhookOutboxProjection', () => {
  let spec: ProjectionSpec<WebhookOutboxProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(WebhookOutboxProjection);
  });
  // The outbox owns no table (a rebuild must not empty the delivery log): each test clears it.
  beforeEach(async () => {
    await spec.rows('DELETE FROM webhook_attempts');
    await spec.rows('DELETE FROM webhook_deliveries');
    await spec.rows('DELETE FROM webhooks');
  });
  afterAll(() => spec?.close());

  const subscribe = (
    webhookId: string,
    eventTypes: string[],
    options: { after?: string; deleted?: boolean } = {},
  ) =>
    spec.rows(
      `INSERT INTO webhooks (webhook_id, url, event_types, description, secret, after_position,
         created_by, created_at, deleted_by, deleted_at)
       VALUES ($1, $2, $3::text[], 'release notifications', $4, $5, 'integrator', now(), $6, $7)`,
      [
        webhookId,
        `https://hooks.example.com/attest/${webhookId}`,
        eventTypes,
        `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
        options.after ?? null,
        options.deleted ? 'integrator' : null,
        options.deleted ? new Date().toISOString() : null,
      ],
    );
  const deliveries = () =>
    spec.rows<Delivery>(
      `SELECT delivery_id::text AS delivery_id, webhook_id::text AS webhook_id,
         event_id::text AS event_id, event_type, payload, status, attempts
       FROM webhook_deliveries ORDER BY webhook_id, event_id`,
    );
  const apply = (events: readonly RecordedEvent[], pageSize?: number | number[]) =>
    spec.apply(events, { pageSize });

  const history = () => [
    deployed('credit-risk.production', '1.0.0'),
    deployed('credit-risk.production', '1.1.0', {
      previousVersion: '1.0.0',
      canaryPercent: 10,
      approvalId: APPROVAL_2,
    }),
    promoted('credit-risk.production', '1.1.0', '1.0.0'),
    rolledBack('credit-risk.production', '1.1.0', '1.0.0'),
    retired('credit-risk.production', '1.0.0'),
  ];

  it('reads every event type and owns no table', () => {
    const projection: Projection = spec.projection;
    expect(projection.eventTypes).toBeUndefined();
    expect(spec.projection.tables).toEqual([]);
  });

  it('queues one pending delivery per subscription that wants the event, naming it only', async () => {
    await subscribe(HOOK_DEPLOYS, ['ModelDeployed', 'DeploymentPromoted']);
    await subscribe(HOOK_ALL, ['*']);
    await subscribe(HOOK_RETIRED, ['DeploymentRetired']);
    await subscribe(HOOK_DELETED, ['*'], { deleted: true });
    const recorded = spec.record([deployed('credit-risk.production', '1.0.0')]);
    await apply(recorded);
    const [event] = recorded;
    const payload = {
      id: event.id,
      type: 'ModelDeployed',
      stream: 'deployment-credit-risk.production',
      ledgerPosition: event.position,
      occurredAt: event.metadata.occurredAt,
    };
    expect(await deliveries()).toEqual(
      [HOOK_DEPLOYS, HOOK_ALL].map((webhookId) => ({
        delivery_id: deliveryIdOf(webhookId, event.id),
        webhook_id: webhookId,
        event_id: event.id,
        event_type: 'ModelDeployed',
        payload,
        status: 'pending',
        attempts: 0,
      })),
    );
    const [due] = await spec.rows<{ due: boolean }>(
      `SELECT bool_and(next_attempt_at <= now() AND created_at <= now()) AS due
       FROM webhook_deliveries`,
    );
    expect(due.due).toBe(true);
  });

  it('queues a page of many events, each for the subscriptions wanting its type', async () => {
    await subscribe(HOOK_DEPLOYS, ['ModelDeployed', 'DeploymentPromoted']);
    await subscribe(HOOK_ALL, ['*']);
    await subscribe(HOOK_RETIRED, ['DeploymentRetired']);
    const recorded = spec.record(history());
    await apply(recorded);
    const queued = (await deliveries()).map((d) => [d.webhook_id, d.event_type]);
    expect(queued).toHaveLength(5 + 3 + 1);
    expect(
      queued
        .filter(([hook]) => hook === HOOK_DEPLOYS)
        .map(([, type]) => type)
        .sort(),
    ).toEqual(['DeploymentPromoted', 'ModelDeployed', 'ModelDeployed']);
    expect(queued.filter(([hook]) => hook === HOOK_RETIRED)).toEqual([
      [HOOK_RETIRED, 'DeploymentRetired'],
    ]);
  });

  it('queues nothing when no subscription is live', async () => {
    await subscribe(HOOK_DELETED, ['*'], { deleted: true });
    await apply(spec.record(history()));
    expect(await deliveries()).toEqual([]);
  });

  it('sends a subscription only the events recorded after it was made', async () => {
    const recorded = spec.record(history());
    await subscribe(HOOK_ALL, ['*'], { after: recorded[2].position });
    await apply(recorded);
    expect((await deliveries()).map((d) => d.event_id).sort()).toEqual(
      recorded
        .slice(3)
        .map((event) => event.id)
        .sort(),
    );
  });

  it('never queues an event twice: a delivered or failed delivery stays as it is on replay', async () => {
    await subscribe(HOOK_ALL, ['*']);
    await subscribe(HOOK_DEPLOYS, ['ModelDeployed', 'DeploymentPromoted']);
    const recorded = spec.record(history());
    await apply(recorded);
    const [first, second] = recorded;
    await spec.rows(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = 1, last_status_code = 204,
         next_attempt_at = NULL, finished_at = now()
       WHERE webhook_id = $1 AND event_id = $2`,
      [HOOK_ALL, first.id],
    );
    await spec.rows(
      `UPDATE webhook_deliveries SET status = 'failed', attempts = 8, last_status_code = 500,
         next_attempt_at = NULL, finished_at = now()
       WHERE webhook_id = $1 AND event_id = $2`,
      [HOOK_DEPLOYS, second.id],
    );
    const before = await deliveries();

    // Redelivered as one page, one by one, and as a rebuild would (the table is not emptied).
    await apply(recorded);
    await apply(recorded, 1);
    await spec.apply(recorded, { rebuilding: true, pageSize: [2, 3] });
    expect(await deliveries()).toEqual(before);
    expect(before.map((d) => d.status).sort()).toEqual([
      'delivered',
      'failed',
      ...Array<string>(before.length - 2).fill('pending'),
    ]);
  });

  it('queues the same deliveries applied in one page as one by one and in pages of any size', async () => {
    await subscribe(HOOK_DEPLOYS, ['ModelDeployed', 'DeploymentPromoted']);
    await subscribe(HOOK_ALL, ['*']);
    await subscribe(HOOK_RETIRED, ['DeploymentRetired']);
    const recorded = spec.record([...history(), ...history()]);
    await apply(recorded);
    const rebuilt = await deliveries();
    expect(rebuilt.length).toBeGreaterThan(recorded.length);
    for (const pageSize of [1, [2, 3, 5, 7]]) {
      await spec.rows('DELETE FROM webhook_deliveries');
      await apply(recorded, pageSize);
      expect(await deliveries()).toEqual(rebuilt);
    }
  });
});
