import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedVersion, type StoredEvent } from './store';

/** Conversions between the generated protobuf messages and the store's plain values. */

export const CONTENT_TYPE_JSON = 'application/json';
const CONTENT_TYPE_BINARY = 'application/octet-stream';

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

export function streamIdentifier(streamName: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
}

/** uint64 fields are generated with jstype=JS_STRING; clamp to what a JS number holds exactly. */
export function parseUint64(value: string): number {
  const parsed = BigInt(value || '0');
  return parsed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(parsed);
}

/** The expected-revision oneof shared by AppendReq, DeleteReq and TombstoneReq options. */
interface ExpectedRevisionOptions {
  hasRevision(): boolean;
  getRevision(): string;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}

export function expectedVersionOf(options: ExpectedRevisionOptions): ExpectedVersion {
  if (options.hasRevision()) return parseUint64(options.getRevision());
  if (options.hasNoStream()) return NO_STREAM;
  if (options.hasStreamExists()) return STREAM_EXISTS;
  return ANY;
}

export function uuidToString(uuid: UUID | undefined): string {
  if (!uuid) return '';
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured() as UUID.Structured;
  const hex = (bits: string) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
  const digits =
    hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return [
    digits.slice(0, 8),
    digits.slice(8, 12),
    digits.slice(12, 16),
    digits.slice(16, 20),
    digits.slice(20),
  ].join('-');
}

function toUuid(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const digits = id.replace(/-/g, '');
  const signed = (hex: string) => BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
  return uuid.setStructured(
    new UUID.Structured()
      .setMostSignificantBits(signed(digits.slice(0, 16)))
      .setLeastSignificantBits(signed(digits.slice(16))),
  );
}

export function isJsonContentType(contentType: string): boolean {
  return contentType === CONTENT_TYPE_JSON;
}

/** A ReadResp carrying one event, shaped like Streams.Read.cs ConvertToReadEvent. */
export function eventResponse(event: StoredEvent, structuredIds: boolean): ReadResp {
  const position = String(event.position);
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(event.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.created.toString())
    .set('content-type', event.isJson ? CONTENT_TYPE_JSON : CONTENT_TYPE_BINARY);
  const readEvent = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(position);
  return new ReadResp().setEvent(readEvent);
}
