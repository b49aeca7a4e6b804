import type { Clock } from '../../src/ledger/clock';

/** A clock a test sets and moves, to record months of history in one run. */
export class TestClock {
  private current: number;

  constructor(start: string) {
    this.current = Date.parse(start);
  }

  /** Give this to startTestApp({ clock }). */
  readonly clock: Clock = () => new Date(this.current);

  set(instant: string): void {
    this.current = Date.parse(instant);
  }

  advanceDays(days: number): void {
    this.current += days * 86_400_000;
  }

  iso(): string {
    return new Date(this.current).toISOString();
  }
}
