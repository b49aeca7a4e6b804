import { hash } from 'node:crypto';
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

/** The exact text that is hashed: RFC 8785 JSON of the event, metadata without `integrity`. */
export function hashedText(fields: HashedFields): string {
  const metadata = withoutIntegrity(fields.metadata);
  // Members written in canonical order already, so canonicalJson need not copy this object.
  return canonicalJson({
    data: fields.data,
    id: fields.id,
    metadata,
    prevHash: fields.prevHash,
    revision: Number(fields.revision),
    stream: fields.stream,
    type: fields.type,
  });
}

/** docs/design.md §3: SHA-256 over the canonical JSON of the event, metadata without `integrity`. */
export function eventHash(fields: HashedFields): string {
  return sha256(hashedText(fields));
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
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
  /** The canonical JSON that was hashed; adapters may store it instead of serialising again. */
  canonical: string;
}

/** Chains new events onto the stream's head: each links to the previous event's hash. */
export function sealEvents(
  stream: string,
  head: StreamHead,
  events: readonly NewEvent[],
): SealedEvent[] {
  const sealed = new Array<SealedEvent>(events.length);
  let prevHash = head.hash;
  for (let i = 0; i < events.length; i++) {
    const { id, type, data } = events[i];
    const revision = head.revision + BigInt(i + 1);
    const metadata = withoutIntegrity(events[i].metadata);
    const canonical = hashedText({ stream, revision, id, type, data, metadata, prevHash });
    const hash = sha256(canonical);
    sealed[i] = { id, type, data, metadata, stream, revision, prevHash, hash, canonical };
    prevHash = hash;
  }
  return sealed;
}

/** Metadata as hashed: everything but `integrity` (kept as the same object when it has none). */
function withoutIntegrity(metadata: EventMetadata): EventMetadata {
  if (!('integrity' in metadata)) return metadata;
  const { integrity: _integrity, ...rest } = metadata as EventMetadata & { integrity?: unknown };
  return rest;
}
