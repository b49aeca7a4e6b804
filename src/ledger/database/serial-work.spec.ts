import { SerialWork } from './serial-work';

/** A promise settled from outside, to hold a pass open. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (setImmediate is left real below). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
});

function worker(
  pass: () => Promise<string>,
  options: { quietOnOutage?: boolean; delayMs?: number } = {},
) {
  const warnings: unknown[][] = [];
  const work = new SerialWork<string>({
    pass,
    nextDelayMs: () => options.delayMs ?? 50,
    logger: { warn: (...args: unknown[]) => warnings.push(args) },
    failure: 'the pass failed',
    quietOnOutage: options.quietOnOutage,
  });
  return { work, warnings };
}

describe('SerialWork', () => {
  describe('run', () => {
    it('runs one pass at a time; a call during a pass waits for it and answers its own result', async () => {
      const first = deferred<string>();
      const second = deferred<string>();
      const started: string[] = [];
      const { work } = worker(() => Promise.resolve('timed'));

      const a = work.run(() => {
        started.push('a');
        return first.promise;
      });
      const b = work.run(() => {
        started.push('b');
        return second.promise;
      });
      const c = work.run(() => {
        started.push('c');
        return Promise.resolve('c');
      });
      await settle();
      expect(started).toEqual(['a']);

      first.resolve('a');
      expect(await a).toBe('a');
      await settle();
      expect(started).toEqual(['a', 'b']);

      second.resolve('b');
      expect(await b).toBe('b');
      expect(await c).toBe('c');
      expect(started).toEqual(['a', 'b', 'c']);
    });

    it('runs the next pass after one that failed, and passes the failure to its caller', async () => {
      const failing = deferred<string>();
      const { work } = worker(() => Promise.resolve('timed'));

      const a = work.run(() => failing.promise);
      const b = work.run();
      failing.reject(new Error('boom'));

      await expect(a).rejects.toThrow('boom');
      expect(await b).toBe('timed');
    });
  });

  describe('close', () => {
    it('waits for the pass under way, and says it is closing meanwhile', async () => {
      const pass = deferred<string>();
      const { work } = worker(() => pass.promise);
      const running = work.run();

      let closed = false;
      const closing = work.close().then(() => (closed = true));
      await settle();
      expect(work.closing).toBe(true);
      expect(closed).toBe(false);

      pass.resolve('done');
      await closing;
      expect(closed).toBe(true);
      expect(await running).toBe('done');
    });

    it('resolves even when the pass under way fails', async () => {
      const pass = deferred<string>();
      const { work } = worker(() => pass.promise);
      const running = work.run();
      const closing = work.close();
      pass.reject(new Error('boom'));
      await expect(running).rejects.toThrow('boom');
      await expect(closing).resolves.toBeUndefined();
    });
  });

  describe('the timer', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));
    afterEach(() => jest.useRealTimers());

    it('runs the pass after the delay, and again after each pass ends', async () => {
      let passes = 0;
      const { work } = worker(() => Promise.resolve(`pass ${++passes}`), { delayMs: 50 });

      work.start(10);
      jest.advanceTimersByTime(9);
      expect(passes).toBe(0);
      jest.advanceTimersByTime(1);
      expect(passes).toBe(1);
      await settle();
      expect(jest.getTimerCount()).toBe(1);

      jest.advanceTimersByTime(49);
      expect(passes).toBe(1);
      jest.advanceTimersByTime(1);
      expect(passes).toBe(2);
      await work.close();
    });

    it('schedules nothing after close, even when the pass under way ends later', async () => {
      const pass = deferred<string>();
      let passes = 0;
      const { work } = worker(() => {
        passes++;
        return pass.promise;
      });

      work.start(0);
      jest.advanceTimersByTime(0);
      expect(passes).toBe(1);

      const closing = work.close();
      pass.resolve('done');
      await closing;
      await settle();
      expect(jest.getTimerCount()).toBe(0);

      work.start(0);
      expect(jest.getTimerCount()).toBe(0);
      expect(passes).toBe(1);
    });

    it('stops a timer not yet fired', async () => {
      let passes = 0;
      const { work } = worker(() => Promise.resolve(`pass ${++passes}`));
      work.start(10);
      await work.close();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(100);
      expect(passes).toBe(0);
    });

    it('logs a failed pass as a warning and tries again', async () => {
      const error = new Error('boom');
      let passes = 0;
      const { work, warnings } = worker(() => {
        passes++;
        return Promise.reject(error);
      });

      work.start(0);
      jest.advanceTimersByTime(0);
      await settle();
      expect(warnings).toEqual([[{ err: error }, 'the pass failed']]);
      expect(jest.getTimerCount()).toBe(1);

      jest.advanceTimersByTime(50);
      await settle();
      expect(passes).toBe(2);
      expect(warnings).toHaveLength(2);
      await work.close();
    });

    it('logs nothing when the database is unavailable, and tries again', async () => {
      const { work, warnings } = worker(() => Promise.reject(outage));

      work.start(0);
      jest.advanceTimersByTime(0);
      await settle();
      expect(warnings).toEqual([]);
      expect(jest.getTimerCount()).toBe(1);
      await work.close();
    });

    it('logs an outage too when told to', async () => {
      const { work, warnings } = worker(() => Promise.reject(outage), { quietOnOutage: false });

      work.start(0);
      jest.advanceTimersByTime(0);
      await settle();
      expect(warnings).toEqual([[{ err: outage }, 'the pass failed']]);
      await work.close();
    });

    it('logs nothing for a pass that fails while closing', async () => {
      const pass = deferred<string>();
      const { work, warnings } = worker(() => pass.promise);

      work.start(0);
      jest.advanceTimersByTime(0);
      const closing = work.close();
      pass.reject(new Error('interrupted by close'));
      await closing;
      await settle();
      expect(warnings).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
