import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { EventMetadata, JsonObject, NewEvent } from './event-log.port';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  prevHash: string;
}

/** DESIGN §3: SHA-256 over the canonical JSON of the event, metadata without `integrity`. */
export function eventHash(fields: HashedFields): string {
  const { integrity: _integrity, ...metadata } = fields.metadata as EventMetadata & { integrity?: unknown };
  const canonical = canonicalJson({
    stream: fields.stream,
    revision: Number(fields.revision),
    id: fields.id,
    type: fields.type,
    data: fields.data,
    metadata,
    prevHash: fields.prevHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export interface StreamHead {
  /** -1n for a stream with no events. */
  revision: bigint;
  hash: string;
}

export const EMPTY_HEAD: StreamHead = { revision: -1n, hash: GENESIS_HASH };

export interface SealedEvent extends NewEvent {
  stream: string;
  revision: bigint;
  prevHash: string;
  hash: string;
}

/** Chains new events onto the stream's head: each links to the previous event's hash. */
export function sealEvents(stream: string, head: StreamHead, events: readonly NewEvent[]): SealedEvent[] {
  let prevHash = head.hash;
  let revision = head.revision;
  return events.map((event) => {
    revision += 1n;
    const { integrity: _integrity, ...metadata } = event.metadata as EventMetadata & { integrity?: unknown };
    const hash = eventHash({ stream, revision, id: event.id, type: event.type, data: event.data, metadata, prevHash });
    const sealed: SealedEvent = { ...event, metadata, stream, revision, prevHash, hash };
    prevHash = hash;
    return sealed;
  });
}
