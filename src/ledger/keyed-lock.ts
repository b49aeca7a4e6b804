/**
 * Holds several named locks at once within this process, taken in name order so two holders
 * never wait on each other in a circle. Written here because the maintained mutex packages lock
 * one name at a time (docs/consistency.md: the EventStoreDB adapter's conditions).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async hold<T>(names: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const ordered = [...new Set(names)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const name of ordered) releases.push(await this.take(name));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async take(name: string): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}
