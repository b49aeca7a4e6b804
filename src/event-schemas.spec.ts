import './event-schemas';
import { EVENT_TYPES } from './ledger/event-catalog';
import {
  checkNewEvent,
  decodeRecorded,
  registeredEvent,
  registeredEventTypes,
} from './ledger/events/event-registry';
import { EventSchemaMismatch } from './ledger/events/event-schema-mismatch';
import type { RecordedEvent } from './ledger/event-log.port';

/** The error checkNewEvent throws for this payload (fails the test when it throws none). */
function mismatchOf(type: string, data: unknown): EventSchemaMismatch {
  try {
    checkNewEvent(type, data);
  } catch (error) {
    if (error instanceof EventSchemaMismatch) return error;
    throw error;
  }
  throw new Error(`${type}: the payload was accepted`);
}

/** The shape's keys a payload must have (optional ones left out). */
function requiredKeys(type: string): string[] {
  const schema = registeredEvent(type)!.schema as unknown as {
    shape: Record<string, { safeParse(value: unknown): { success: boolean } }>;
  };
  return Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

describe('the event schemas (README, "Event schemas")', () => {
  it('register exactly the event types of the catalog', () => {
    expect(registeredEventTypes().sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each([...EVENT_TYPES])('%s refuses a payload missing its fields, naming each', (type) => {
    const keys = requiredKeys(type);
    expect(keys.length).toBeGreaterThan(0);
    const error = mismatchOf(type, {});
    expect(error.eventType).toBe(type);
    expect(Object.keys(error.fields).sort()).toEqual(keys.map((key) => `data.${key}`).sort());
    expect(error.message).toContain(type);
    expect(error.message).toContain(`data.${keys[0]}`);
  });

  it.each([...EVENT_TYPES])('%s refuses a field of the wrong type, naming it', (type) => {
    const [key] = requiredKeys(type);
    const error = mismatchOf(type, { [key]: { nested: ['wrong'] } });
    expect(error.fields[`data.${key}`]).toEqual([expect.stringMatching(/^expected /)]);
  });

  it('names a nested field by its path and never quotes the value', () => {
    const secret = 'Jane Citizen, 12 Example St';
    const error = mismatchOf('DatasetVersionRegistered', {
      name: 'loans',
      version: '1',
      contentHash: 'sha256:00',
      rows: 1,
      schema: [
        {
          name: 'income',
          type: 'number',
          personal: secret,
          sensitive: false,
          category: null,
          protectedAttribute: false,
        },
      ],
      location: 's3://x',
      region: 'AU',
      containsPersonalInformation: true,
      containsSensitiveInformation: false,
      lawfulBasis: null,
      collectionNotice: null,
      purpose: null,
      retention: null,
      piaId: null,
      parents: [],
      registeredBy: 'ci',
      registeredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(error.fields).toEqual({ 'data.schema.0.personal': ['expected boolean'] });
    expect(error.message).toBe(
      'DatasetVersionRegistered (schema version 1) does not match its schema on append: data.schema.0.personal expected boolean',
    );
    expect(JSON.stringify(error.details)).not.toContain('Jane');
    expect(error.message).not.toContain('Jane');
    expect(error.status).toBe(500);
  });

  it('refuses a value outside an enumeration, naming the allowed ones and not the value', () => {
    const error = mismatchOf('AlertRaised', {
      alertId: 'a',
      deploymentId: 'm.production',
      model: 'm',
      environment: 'production',
      severity: 'apocalyptic',
      kind: 'drift',
      summary: 's',
      causeEventId: null,
      raisedBy: 'attest',
      raisedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(error.fields).toEqual({
      'data.severity': ['expected one of "low", "medium", "high", "critical"'],
    });
    expect(error.message).not.toContain('apocalyptic');
  });

  it('accepts open JSON where the type is open and a stored event as it is', () => {
    const data = {
      runId: 'r',
      model: 'm',
      datasetVersions: [{ name: 'd', version: '1', contentHash: 'sha256:00' }],
      code: { repository: 'git@x', commit: 'abc' },
      algorithm: 'xgboost',
      hyperparameters: { depth: 3, nested: { list: [1, 'two', null, true] } },
      environment: {},
      startedBy: 'ci',
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(checkNewEvent('TrainingRunStarted', data)).toBe(1);
    const event = {
      id: 'e',
      type: 'TrainingRunStarted',
      stream: 'training-run-r',
      revision: 0n,
      data,
      metadata: {
        schemaVersion: 1,
        occurredAt: data.startedAt,
        actor: { sub: 'ci', roles: [] },
        correlationId: 'c',
        causationId: 'c',
        integrity: { prevHash: '0', hash: '1' },
      },
      position: '1',
      recordedAt: new Date(0),
    } as RecordedEvent;
    expect(decodeRecorded(event)).toBe(event);
  });

  it('passes an event type nobody registered through unchecked', () => {
    expect(checkNewEvent('SomethingElse', { any: 'thing' })).toBe(1);
  });
});
