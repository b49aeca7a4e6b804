import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import type {
  DeletionAssessed,
  DeletionFulfilled,
  DeletionRequested,
} from '../../deletion-request.events';
import { DeletionRequestProjection } from './deletion-request.projection';

type At<E> = E & { stream: string };

const requestId = (n: number) =>
  `01950000-0000-7000-8000-0000000de1${n.toString().padStart(2, '0')}`;
const subjectRef = (n: number) => `hmac-sha256:${n.toString(16).padStart(2, '0').repeat(32)}`;

function requested(n: number, channel: string | null = 'email'): At<DeletionRequested> {
  return {
    type: 'DeletionRequested',
    stream: `deletion-request-${requestId(n)}`,
    data: {
      requestId: requestId(n),
      subjectRef: subjectRef(n),
      receivedOn: '2026-08-03',
      dueOn: '2026-09-02',
      channel,
      requestedBy: 'privacy-officer',
      requestedAt: '2026-08-03T09:15:00.000Z',
    },
  };
}

const AFFECTED: DeletionAssessed['data']['affected'] = {
  datasetVersions: [{ name: 'loan-applications', version: '2026-07' }],
  models: [{ name: 'credit-risk', version: '1.1.0' }],
  deployments: ['credit-risk.production'],
};

function assessed(n: number, notes: string | null = 'found in July extract'): At<DeletionAssessed> {
  return {
    type: 'DeletionAssessed',
    stream: `deletion-request-${requestId(n)}`,
    data: {
      requestId: requestId(n),
      affected: AFFECTED,
      notes,
      assessedBy: 'data-steward',
      assessedAt: '2026-08-05T14:00:00.000Z',
    },
  };
}

function fulfilled(n: number, options: { legacy?: boolean } = {}): At<DeletionFulfilled> {
  const stated = {
    replacementDatasetVersions: [
      {
        name: 'loan-applications',
        version: '2026-07-r1',
        replaces: [{ name: 'loan-applications', version: '2026-07' }],
      },
    ],
    retrainedModels: [
      {
        name: 'credit-risk',
        version: '1.1.1',
        replaces: [{ name: 'loan-applications', version: '2026-07' }],
      },
    ],
    exceptions: [
      {
        item: 'credit-risk.production',
        reason: 'serves until 1.1.1 is approved',
        covers: { kind: 'deployment' as const, id: 'credit-risk.production' },
      },
    ],
    accountedFor: [
      {
        kind: 'dataset-version' as const,
        id: 'loan-applications@2026-07',
        by: 'replacement' as const,
        detail: 'loan-applications@2026-07-r1',
      },
      {
        kind: 'model' as const,
        id: 'credit-risk@1.1.0',
        by: 'retraining' as const,
        detail: 'credit-risk@1.1.1',
      },
      {
        kind: 'deployment' as const,
        id: 'credit-risk.production',
        by: 'exception' as const,
        detail: 'serves until 1.1.1 is approved',
      },
    ],
  };
  // Fulfilments recorded before `replaces`, `covers` and `accountedFor` existed lack them.
  const legacy = {
    replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-07-r1' }],
    retrainedModels: [{ name: 'credit-risk', version: '1.1.1' }],
    exceptions: [{ item: 'credit-risk.production', reason: 'legal hold' }],
  };
  return {
    type: 'DeletionFulfilled',
    stream: `deletion-request-${requestId(n)}`,
    data: {
      requestId: requestId(n),
      ...(options.legacy ? legacy : stated),
      fulfilledBy: 'privacy-officer',
      fulfilledAt: '2026-08-20T16:30:00.000Z',
    },
  };
}

describe('DeletionRequestProjection', () => {
  let spec: ProjectionSpec<DeletionRequestProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(DeletionRequestProjection);
  });
  afterAll(() => spec?.close());

  const instant = (value: unknown) =>
    value === null ? null : new Date(value as string).toISOString();
  const request = async (n: number): Promise<Record<string, unknown> | undefined> => {
    const [row] = await spec.rows<Record<string, unknown>>(
      `SELECT id::text AS id, subject_ref, received_on::text AS received_on,
         due_on::text AS due_on, channel, status, affected, notes, fulfilment, requested_by,
         to_json(requested_at) #>> '{}' AS requested_at, assessed_by,
         to_json(assessed_at) #>> '{}' AS assessed_at, fulfilled_by,
         to_json(fulfilled_at) #>> '{}' AS fulfilled_at, last_revision::text AS last_revision
       FROM deletion_requests WHERE id = $1`,
      [requestId(n)],
    );
    return (
      row && {
        ...row,
        requested_at: instant(row.requested_at),
        assessed_at: instant(row.assessed_at),
        fulfilled_at: instant(row.fulfilled_at),
      }
    );
  };

  it('derives its event types from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DeletionAssessed',
      'DeletionFulfilled',
      'DeletionRequested',
    ]);
  });

  it('opens a request, assesses it and fulfils it', async () => {
    const [request1] = await spec.given([requested(1)]);
    expect(await request(1)).toEqual({
      id: requestId(1),
      subject_ref: subjectRef(1),
      received_on: '2026-08-03',
      due_on: '2026-09-02',
      channel: 'email',
      status: 'open',
      affected: null,
      notes: null,
      fulfilment: null,
      requested_by: 'privacy-officer',
      requested_at: '2026-08-03T09:15:00.000Z',
      assessed_by: null,
      assessed_at: null,
      fulfilled_by: null,
      fulfilled_at: null,
      last_revision: request1.revision.toString(),
    });

    const [assessment] = await spec.given([assessed(1)], { keep: true });
    expect(await request(1)).toMatchObject({
      status: 'assessed',
      affected: AFFECTED,
      notes: 'found in July extract',
      assessed_by: 'data-steward',
      assessed_at: '2026-08-05T14:00:00.000Z',
      last_revision: assessment.revision.toString(),
    });

    const fulfilment = fulfilled(1);
    const [fulfilmentEvent] = await spec.given([fulfilment], { keep: true });
    const { requestId: _id, fulfilledBy: _by, fulfilledAt: _at, ...stated } = fulfilment.data;
    expect(await request(1)).toMatchObject({
      status: 'fulfilled',
      affected: AFFECTED,
      fulfilment: stated,
      fulfilled_by: 'privacy-officer',
      fulfilled_at: '2026-08-20T16:30:00.000Z',
      last_revision: fulfilmentEvent.revision.toString(),
    });
  });

  it('keeps a fulfilment as recorded, without the fields it predates', async () => {
    await spec.given([requested(2, null), assessed(2, null), fulfilled(2, { legacy: true })]);
    const row = await request(2);
    expect(row).toMatchObject({ channel: null, notes: null, status: 'fulfilled' });
    expect(row?.fulfilment).toEqual({
      replacementDatasetVersions: [{ name: 'loan-applications', version: '2026-07-r1' }],
      retrainedModels: [{ name: 'credit-risk', version: '1.1.1' }],
      exceptions: [{ item: 'credit-risk.production', reason: 'legal hold' }],
    });
  });

  it('applies runs of many requests, each assessed and fulfilled in one page', async () => {
    await spec.given([
      requested(3),
      requested(4),
      requested(5),
      assessed(3),
      assessed(5),
      fulfilled(3),
      assessed(4),
    ]);
    const statuses = await spec.rows<{ id: string; status: string }>(
      'SELECT id::text AS id, status FROM deletion_requests ORDER BY id',
    );
    expect(statuses).toEqual([
      { id: requestId(3), status: 'fulfilled' },
      { id: requestId(4), status: 'assessed' },
      { id: requestId(5), status: 'assessed' },
    ]);
  });

  it('ignores an assessment or fulfilment of a request it has not seen', async () => {
    await spec.given([assessed(6), fulfilled(7)]);
    expect(await spec.rows('SELECT id FROM deletion_requests')).toEqual([]);
  });

  it('changes nothing when events are delivered again, older after newer included', async () => {
    const recorded = await spec.given([requested(8), assessed(8), fulfilled(8)]);
    const before = await spec.snapshot();
    await spec.apply(recorded);
    await spec.apply([recorded[1]]);
    await spec.apply(recorded, { pageSize: 1 });
    expect(await spec.snapshot()).toEqual(before);
    expect((await request(8))?.status).toBe('fulfilled');
  });

  it('ends with the same rows rebuilt as applied live, in pages of any size', async () => {
    await spec.expectRebuildEqualsLive([
      requested(10),
      requested(11, 'web form'),
      assessed(10),
      requested(12, null),
      fulfilled(10),
      assessed(11, null),
      assessed(12),
      fulfilled(12, { legacy: true }),
      requested(13),
    ]);
  });
});
