import type { RecordedEvent } from '../event-log.port';

/**
 * CONTRACT (issue 16, being filled in): the ledger's registry of event schemas. Capabilities
 * register each event type's runtime schema; the ledger checks payloads on append and, on read,
 * upcasts an older schemaVersion and checks the result (README, "Event schemas").
 *
 * decodeRecorded: the event as its current schema version has it; throws (an Error naming the
 * event type and the field at fault, never the value) when it does not match. The projection
 * runner calls it once per event read, before any projection sees it.
 */
export function decodeRecorded(event: RecordedEvent): RecordedEvent {
  return event;
}
