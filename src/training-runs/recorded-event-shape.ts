import type { JsonObject } from '../ledger/event-log.port';

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
export function hasShape(data: JsonObject, shape: EventShape): boolean {
  const value = (field: string) => data[field];
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
