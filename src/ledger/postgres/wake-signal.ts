/**
 * Wakes every waiting subscription at once. A waiter passes the generation it saw before its
 * last read, so a notification that arrived while it was busy is not lost.
 */
export class WakeSignal {
  private waiters = new Set<() => void>();
  private current = 0;

  get generation(): number {
    return this.current;
  }

  wait(timeoutMs: number, seenGeneration?: number): Promise<void> {
    if (seenGeneration !== undefined && seenGeneration !== this.current) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  notify(): void {
    this.current += 1;
    for (const waiter of [...this.waiters]) waiter();
  }
}
