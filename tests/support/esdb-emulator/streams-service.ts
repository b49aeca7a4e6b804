import { Empty } from '@eventstore/db-client/generated/shared_pb';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  invalidArgument,
  type RpcFailure,
  maxAppendSizeExceeded,
  requiredMetadataPropertyMissing,
  streamDeleted,
  unavailable,
  unimplemented,
  wrongExpectedVersion,
} from './errors';
import { toSubscriptionFilter } from './filter';
import {
  eventResponse,
  expectedVersionOf,
  isJsonContentType,
  parseUint64,
  streamIdentifier,
  streamNameOf,
  uuidToString,
} from './protocol';
import { ResponseStream } from './response-stream';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type EventStore,
  type ExpectedVersion,
  type ProposedEvent,
  type ReadFrom,
  type WriteResult,
} from './store';
import { subscribeToAll, subscribeToStream } from './subscriptions';

/** EventStoreDB's default MaxAppendSize (ClusterVNodeOptions). */
const MAX_APPEND_SIZE = 1024 * 1024;

/** Read calls in flight, so the emulator can drop them when it pauses. */
export class ActiveReads {
  private readonly reads = new Set<ResponseStream>();
  private subscriptions = 0;

  get subscriptionCount(): number {
    return this.subscriptions;
  }

  async run(
    out: ResponseStream,
    isSubscription: boolean,
    work: () => Promise<void>,
  ): Promise<void> {
    this.reads.add(out);
    if (isSubscription) this.subscriptions += 1;
    try {
      await work();
    } finally {
      this.reads.delete(out);
      if (isSubscription) this.subscriptions -= 1;
    }
  }

  /** Ends every open read with UNAVAILABLE, as a client sees a server that goes away. */
  dropAll(): void {
    for (const out of this.reads) out.fail(unavailable('The server is shutting down.'));
  }
}

export function createStreamsService(store: EventStore, reads: ActiveReads): IStreamsServer {
  return {
    append(call, callback) {
      let options: AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let size = 0;
      let failed = false;
      const fail = (error: RpcFailure) => {
        if (failed) return;
        failed = true;
        callback(error);
      };
      call.on('data', (request: AppendReq) => {
        if (failed) return;
        if (!options) {
          options = request.getOptions();
          if (!options) fail(invalidArgument('The first append message must carry the options.'));
          return;
        }
        const message = request.getProposedMessage();
        if (!message) return fail(invalidArgument('Expected a proposed message.'));
        const metadata = message.getMetadataMap();
        const type = metadata.get('type');
        if (type === undefined) return fail(requiredMetadataPropertyMissing('type'));
        const contentType = metadata.get('content-type');
        if (contentType === undefined) return fail(requiredMetadataPropertyMissing('content-type'));
        const data = message.getData_asU8();
        const customMetadata = message.getCustomMetadata_asU8();
        // Event.SizeOnDisk: the type counts as UTF-16.
        size += data.byteLength + customMetadata.byteLength + type.length * 2;
        if (size > MAX_APPEND_SIZE) return fail(maxAppendSizeExceeded(MAX_APPEND_SIZE));
        events.push({
          id: uuidToString(message.getId()),
          type,
          isJson: isJsonContentType(contentType),
          data,
          metadata: customMetadata,
        });
      });
      call.on('end', () => {
        if (failed) return;
        if (!options) return fail(invalidArgument('The append carried no options.'));
        const streamName = streamNameOf(options.getStreamIdentifier());
        const expected = expectedVersionOf(options);
        const result = store.append(streamName, expected, events);
        if (result.kind === 'stream_deleted') return fail(streamDeleted(streamName));
        callback(null, appendResponse(result, expected));
      });
    },

    read(call) {
      const out = new ResponseStream(call);
      const options = call.request.getOptions();
      const isSubscription = options?.hasSubscription() ?? false;
      void reads.run(out, isSubscription, async () => {
        try {
          if (!options) return out.fail(invalidArgument('Read options are required.'));
          await read(store, out, options);
        } catch (error) {
          out.fail(invalidArgument(error instanceof Error ? error.message : String(error)));
        }
      });
    },

    delete(call, callback) {
      const options = call.request.getOptions();
      if (!options) return callback(invalidArgument('Delete options are required.'));
      const outcome = deleteStream(store, options, false);
      if (!outcome.ok) return callback(outcome.error);
      const position = new DeleteResp.Position()
        .setCommitPosition(outcome.position)
        .setPreparePosition(outcome.position);
      callback(null, new DeleteResp().setPosition(position));
    },

    tombstone(call, callback) {
      const options = call.request.getOptions();
      if (!options) return callback(invalidArgument('Tombstone options are required.'));
      const outcome = deleteStream(store, options, true);
      if (!outcome.ok) return callback(outcome.error);
      const position = new TombstoneResp.Position()
        .setCommitPosition(outcome.position)
        .setPreparePosition(outcome.position);
      callback(null, new TombstoneResp().setPosition(position));
    },

    // Not advertised (there is no ServerFeatures service), so the client never calls it.
    batchAppend(call) {
      call.emit('error', unimplemented('BatchAppend is not supported by the emulator.'));
    },
  };
}

async function read(store: EventStore, out: ResponseStream, options: ReadReq.Options) {
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
  const direction =
    options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS
      ? 'backwards'
      : 'forwards';
  const count = parseUint64(options.getCount());

  const streamOptions = options.getStream();
  if (streamOptions) {
    const streamName = streamNameOf(streamOptions.getStreamIdentifier());
    const from: ReadFrom = streamOptions.hasRevision()
      ? parseUint64(streamOptions.getRevision())
      : streamOptions.hasEnd()
        ? 'end'
        : 'start';
    if (options.hasSubscription()) {
      return subscribeToStream(out, store, streamName, from, structuredIds);
    }
    const result = store.readStream(streamName, from, direction, count);
    if (result.kind === 'deleted') return out.fail(streamDeleted(streamName));
    if (result.kind === 'not_found') {
      // Since 20.10 a missing stream is a message in the read, not an error status.
      await out.write(
        new ReadResp().setStreamNotFound(
          new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName)),
        ),
      );
      return out.end();
    }
    for (const event of result.events) await out.write(eventResponse(event, structuredIds));
    return out.end();
  }

  const allOptions = options.getAll();
  if (!allOptions) return out.fail(invalidArgument('Read needs a stream or $all.'));
  const position = allOptions.getPosition();
  const from: ReadFrom = position
    ? parseUint64(position.getCommitPosition())
    : allOptions.hasEnd()
      ? 'end'
      : 'start';
  const filterOptions = options.getFilter();
  const filter = filterOptions ? toSubscriptionFilter(filterOptions) : undefined;
  if (options.hasSubscription()) {
    return subscribeToAll(out, store, from, filter, structuredIds);
  }
  const events = filter
    ? store
        .readAll(from, direction, Number.MAX_SAFE_INTEGER)
        .filter((event) => filter.matches(event))
        .slice(0, count)
    : store.readAll(from, direction, count);
  for (const event of events) await out.write(eventResponse(event, structuredIds));
  out.end();
}

function deleteStream(
  store: EventStore,
  options: DeleteReq.Options | TombstoneReq.Options,
  hard: boolean,
): { ok: true; position: string } | { ok: false; error: RpcFailure } {
  const streamName = streamNameOf(options.getStreamIdentifier());
  const expected = expectedVersionOf(options);
  const result = store.delete(streamName, expected, hard);
  switch (result.kind) {
    case 'stream_deleted':
      return { ok: false, error: streamDeleted(streamName) };
    case 'wrong_expected_version': {
      // The server reports the operation as "Delete" for tombstones too.
      const error = wrongExpectedVersion('Delete', streamName, expected, result.currentRevision);
      return { ok: false, error };
    }
    case 'success':
      return { ok: true, position: String(result.position) };
  }
}

/** Shaped like Streams.Append.cs, including the deprecated 20.6.0 fields. */
function appendResponse(
  result: Exclude<WriteResult, { kind: 'stream_deleted' }>,
  expected: ExpectedVersion,
): AppendResp {
  if (result.kind === 'success') {
    const success = new AppendResp.Success();
    if (result.currentRevision < 0) success.setNoStream(new Empty());
    else success.setCurrentRevision(String(result.currentRevision));
    if (result.position === undefined) success.setNoPosition(new Empty());
    else {
      const position = String(result.position);
      success.setPosition(
        new AppendResp.Position().setCommitPosition(position).setPreparePosition(position),
      );
    }
    return new AppendResp().setSuccess(success);
  }

  const wrong = new AppendResp.WrongExpectedVersion();
  if (expected === ANY) wrong.setExpectedAny(new Empty()).setAny2060(new Empty());
  else if (expected === STREAM_EXISTS) {
    wrong.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
  } else if (expected === NO_STREAM) wrong.setExpectedNoStream(new Empty());
  else wrong.setExpectedRevision(String(expected)).setExpectedRevision2060(expected);
  const current = result.currentRevision;
  if (current < 0) wrong.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  else wrong.setCurrentRevision(String(current)).setCurrentRevision2060(current);
  return new AppendResp().setWrongExpectedVersion(wrong);
}
