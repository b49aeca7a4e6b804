import type { z } from 'zod';
import type { DomainEvent } from '../commands/decider';
import type { JsonObject } from '../event-log.port';
import { type Upcast, registerEvent } from './event-registry';

/** An event type declared once (README, "Event schemas"): its name, its schema and version. */
export interface EventDefinition<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly schemaVersion: number;
  readonly schema: z.ZodType<Data>;
  readonly upcasts: Readonly<Record<number, Upcast>>;
}

/** The domain event a definition declares: `EventOf<typeof DatasetValidatedEvent>`. */
export type EventOf<Definition> =
  Definition extends EventDefinition<infer Type, infer Data> ? DomainEvent<Type, Data> : never;

/** The payload a definition declares. */
export type DataOf<Definition> =
  Definition extends EventDefinition<string, infer Data> ? Data : never;

/**
 * Declares an event type and registers it with the ledger, so its payload is checked on append
 * and on read. `schemaVersion` (default 1) is what new events record; a version n > 1 needs an
 * upcast from each older version k, `upcasts[k]`, taking data as version k had it and returning
 * it as version k + 1 has it. The older shapes are the upcasts' own business: typed loosely here.
 */
export function defineEvent<const Type extends string, Schema extends z.ZodType<object>>(spec: {
  type: Type;
  schemaVersion?: number;
  schema: Schema;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- older shapes are untyped
  upcasts?: Record<number, (older: any) => object>;
}): EventDefinition<Type, z.infer<Schema>> {
  const definition: EventDefinition<Type, z.infer<Schema>> = {
    type: spec.type,
    schemaVersion: spec.schemaVersion ?? 1,
    schema: spec.schema as unknown as z.ZodType<z.infer<Schema>>,
    upcasts: (spec.upcasts ?? {}) as Record<number, (older: JsonObject) => JsonObject>,
  };
  registerEvent(definition);
  return definition;
}
