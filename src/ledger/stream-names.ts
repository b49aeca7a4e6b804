/**
 * Stream names are `<aggregate>-<id>` (DESIGN §3). Capabilities build them only through
 * `streamName`; requests that name a stream are checked against the same pattern.
 */
export const STREAM_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[A-Za-z0-9._:@-]+$/;
export const STREAM_NAME_HINT = 'a stream name such as dataset-loans (<aggregate>-<id>)';

export function streamName(aggregate: string, id: string): string {
  const name = `${aggregate}-${id}`;
  if (!/^[a-z][a-z0-9-]*$/.test(aggregate) || !STREAM_NAME.test(name) || name.length > 200) {
    throw new RangeError(`not a valid stream name: ${name}`);
  }
  return name;
}
