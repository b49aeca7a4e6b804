import { Metadata, status, type StatusObject } from '@grpc/grpc-js';

/** What a handler passes to grpc-js to end a call with an error status and trailers. */
export type RpcFailure = Partial<StatusObject>;

/**
 * The RPC failures EventStoreDB reports through status + trailers (RpcExceptions.cs). The client
 * (CommandError.convertToCommandError) picks the error class from the `exception` trailer.
 */

function failure(code: status, details: string, trailers: Record<string, string> = {}): RpcFailure {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
}

export function streamDeleted(streamName: string): RpcFailure {
  return failure(status.FAILED_PRECONDITION, `Event stream '${streamName}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': streamName,
  });
}

/** Used by Delete/Tombstone; Append reports this in its response message instead. */
export function wrongExpectedVersion(
  operation: string,
  streamName: string,
  expectedVersion: number,
  actualVersion: number,
): RpcFailure {
  return failure(
    status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${streamName}, ` +
      `Expected version: ${expectedVersion}, Actual version: ${actualVersion}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': streamName,
      'expected-version': String(expectedVersion),
      'actual-version': String(actualVersion),
    },
  );
}

export function maxAppendSizeExceeded(maxAppendSize: number): RpcFailure {
  return failure(status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(maxAppendSize),
  });
}

export function requiredMetadataPropertyMissing(property: string): RpcFailure {
  return failure(status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

export function invalidArgument(details: string): RpcFailure {
  return failure(status.INVALID_ARGUMENT, details);
}

export function unimplemented(details: string): RpcFailure {
  return failure(status.UNIMPLEMENTED, details);
}

export function unavailable(details: string): RpcFailure {
  return failure(status.UNAVAILABLE, details);
}
