/**
 * Where "now" comes from: commands take their time from the clock when the request arrives, and
 * views that count days (deletion requests overdue) read it too. Tests inject one to replay
 * months of history; production uses the system clock.
 */
export type Clock = () => Date;

export const CLOCK = Symbol('Clock');

export const systemClock: Clock = () => new Date();
