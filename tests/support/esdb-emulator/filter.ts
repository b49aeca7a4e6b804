import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './store';

/** The server's default search window (Enumerator.ReadBatchSize) when the client sends `count`. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

export interface SubscriptionFilter {
  matches(event: StoredEvent): boolean;
  /** Considered events (matching or not) between two checkpoints. */
  readonly checkpointInterval: number;
}

/**
 * Mirrors EventStoreDB's EventFilter: a non-empty regex wins over prefixes; regexes are unanchored
 * (`Regex.Match`), prefixes are `StartsWith`. Regexes run on the JS engine, not .NET's.
 */
export function toSubscriptionFilter(options: ReadReq.Options.FilterOptions): SubscriptionFilter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  const regex = expression?.getRegex() ?? '';
  const prefixes = expression?.getPrefixList() ?? [];
  const pattern = regex ? new RegExp(regex) : undefined;
  const test = pattern
    ? (value: string) => pattern.test(value)
    : (value: string) => prefixes.some((prefix) => value.startsWith(prefix));
  const window = options.hasMax() ? options.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  return {
    matches: (event) => test(onStream ? event.streamName : event.type),
    checkpointInterval: Math.max(1, options.getCheckpointintervalmultiplier()) * window,
  };
}
