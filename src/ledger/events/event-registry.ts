import type { z } from 'zod';
import type { JsonObject, RecordedEvent } from '../event-log.port';
import { EventSchemaMismatch, EventVersionUnreadable, issueFields } from './event-schema-mismatch';

/**
 * An older shape of an event's data brought one version up: `upcasts[n]` takes data recorded at
 * schema version n and returns it as version n + 1 has it (README, "Event schemas").
 */
export type Upcast = (older: JsonObject) => JsonObject;

/** One event type's runtime schema, as the registry holds it. */
export interface RegisteredEvent {
  readonly type: string;
  /** The version new events are recorded at (metadata.schemaVersion), from 1. */
  readonly schemaVersion: number;
  readonly schema: z.ZodType;
  readonly upcasts: Readonly<Record<number, Upcast>>;
}

/**
 * The ledger's registry of event schemas (README, "Event schemas"). Capabilities register each
 * event type's definition (src/ledger/events/define-event.ts, called in their *.events.ts); the
 * ledger checks payloads on append and, on read, upcasts an older schemaVersion and checks the
 * result. The ledger itself names no capability's event.
 */
const registry = new Map<string, RegisteredEvent>();

export function registerEvent(definition: RegisteredEvent): void {
  const { type, schemaVersion } = definition;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new Error(`${type}: schemaVersion must be a whole number from 1`);
  }
  for (let version = 1; version < schemaVersion; version++) {
    if (typeof definition.upcasts[version] !== 'function') {
      throw new Error(`${type}: schema version ${schemaVersion} needs an upcast from ${version}`);
    }
  }
  const known = registry.get(type);
  if (known && known !== definition) throw new Error(`${type} is registered twice`);
  registry.set(type, definition);
}

export function registeredEvent(type: string): RegisteredEvent | undefined {
  return registry.get(type);
}

export function registeredEventTypes(): string[] {
  return [...registry.keys()];
}

/** Throws unless every one of these types has a schema (the app checks its catalog at start). */
export function assertRegistered(types: Iterable<string>): void {
  const missing = [...types].filter((type) => !registry.has(type));
  if (missing.length > 0) {
    throw new Error(`event types without a registered schema: ${missing.join(', ')}`);
  }
}

/**
 * Checks a new event's data against its type's schema and answers the schema version to record;
 * throws EventSchemaMismatch naming the fields at fault. A type nobody registered (a test's own)
 * is stored unchecked at version 1.
 */
export function checkNewEvent(type: string, data: unknown): number {
  const definition = registry.get(type);
  if (!definition) return 1;
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    throw new EventSchemaMismatch(
      type,
      definition.schemaVersion,
      issueFields(result.error.issues),
      'append',
    );
  }
  return definition.schemaVersion;
}

/**
 * The event as its current schema version has it: data recorded at an older version goes through
 * the type's upcasts, then is checked; metadata.schemaVersion says the current version. An event
 * already current is returned as it is (the same object), so its data stays byte for byte what
 * was hashed. A type nobody registered is returned as it is. Throws (naming the event type and
 * the field at fault, never the value) when the data does not match.
 *
 * The projection runner calls it once per event read, before any projection sees it, and the
 * stream writer before a decider folds a stream.
 */
export function decodeRecorded(event: RecordedEvent): RecordedEvent {
  const definition = registry.get(event.type);
  if (!definition) return event;
  const recorded = event.metadata.schemaVersion ?? 1;
  if (recorded === definition.schemaVersion) {
    check(definition, event.data, recorded);
    return event;
  }
  const data = upcast(definition, event.data, recorded);
  check(definition, data, definition.schemaVersion);
  return {
    ...event,
    data,
    metadata: {
      ...event.metadata,
      schemaVersion: definition.schemaVersion,
    } as RecordedEvent['metadata'],
  };
}

function upcast(definition: RegisteredEvent, data: JsonObject, recorded: unknown): JsonObject {
  const current = definition.schemaVersion;
  if (typeof recorded !== 'number' || !Number.isInteger(recorded) || recorded < 1) {
    throw new EventVersionUnreadable(definition.type, recorded, current, 'not a schema version');
  }
  if (recorded > current) {
    throw new EventVersionUnreadable(
      definition.type,
      recorded,
      current,
      'it was recorded by a newer release',
    );
  }
  let next = data;
  for (let version = recorded; version < current; version++) {
    next = definition.upcasts[version](next);
  }
  return next;
}

function check(definition: RegisteredEvent, data: unknown, version: number): void {
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    throw new EventSchemaMismatch(
      definition.type,
      version,
      issueFields(result.error.issues),
      'read',
    );
  }
}
