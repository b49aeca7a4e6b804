import type { Logger } from '@nestjs/common';

export type EventShape = {
  text?: readonly string[];
  times?: readonly string[];
  lists?: readonly string[];
  objects?: readonly string[];
};

/**
 * Whether an event's data has the fields a projection stores. Events appended behind the API
 * (fixtures, hand-made repairs) can lack them; a projection skips those rather than stall on them.
 */
export function hasShape(data: object, shape: EventShape): boolean {
  const value = (field: string): unknown => (data as Record<string, unknown>)[field];
  return (
    (shape.text ?? []).every((field) => typeof value(field) === 'string') &&
    (shape.times ?? []).every((field) => {
      const time = value(field);
      return typeof time === 'string' && !Number.isNaN(Date.parse(time));
    }) &&
    (shape.lists ?? []).every((field) => Array.isArray(value(field))) &&
    (shape.objects ?? []).every((field) => {
      const object = value(field);
      return typeof object === 'object' && object !== null && !Array.isArray(object);
    })
  );
}

/** The events of a run that have the shape (`hasShape`); each other one is logged and skipped. */
export function wellFormed<
  E extends { readonly id: string; readonly type: string; readonly data: object },
>(
  events: readonly E[],
  shape: EventShape,
  logger: Pick<Logger, 'warn'>,
  also: (event: E) => boolean = () => true,
): E[] {
  return events.filter((event) => {
    if (hasShape(event.data, shape) && also(event)) return true;
    logger.warn({ eventId: event.id, type: event.type }, 'skipped a malformed event');
    return false;
  });
}
