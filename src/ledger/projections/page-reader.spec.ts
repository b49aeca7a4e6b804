import type { RecordedEvent, Subscription, SubscriptionMessage } from '../event-log.port';
import { PageReader } from './page-reader';

const event = (position: string): RecordedEvent =>
  ({ id: position, type: 'T', position }) as unknown as RecordedEvent;

/** A subscription over `messages`, counting how many it has handed out. */
function subscriptionOf(messages: SubscriptionMessage[]): Subscription & { handedOut: number } {
  const subscription = {
    handedOut: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      for (const message of messages) {
        if (subscription.closed) return;
        subscription.handedOut++;
        yield message;
      }
    },
    close: async () => {
      subscription.closed = true;
    },
  };
  return subscription;
}

describe('PageReader', () => {
  it('turns checkpoints into pages, decoding each event once, and passes caughtUp on', async () => {
    const decoded: string[] = [];
    const subscription = subscriptionOf([
      { kind: 'event', event: event('1') },
      { kind: 'event', event: event('2') },
      { kind: 'checkpoint', position: '3' },
      { kind: 'checkpoint', position: '5' },
      { kind: 'caughtUp', position: '5' },
    ]);
    const reader = new PageReader(subscription, null, (e) => {
      decoded.push(e.position);
      return e;
    });
    const first = await reader.next();
    expect(first).toEqual({ kind: 'page', from: null, to: '3', events: [event('1'), event('2')] });
    expect(await reader.next()).toEqual({ kind: 'page', from: '3', to: '5', events: [] });
    expect(await reader.next()).toEqual({ kind: 'caughtUp', position: '5' });
    expect(await reader.next()).toBeUndefined();
    expect(decoded).toEqual(['1', '2']);
    await reader.close();
  });

  it('reads no more than its pages ahead of the one being applied', async () => {
    const messages: SubscriptionMessage[] = [];
    for (let page = 1; page <= 10; page++) {
      messages.push({ kind: 'event', event: event(`${page}`) });
      messages.push({ kind: 'checkpoint', position: `${page}` });
    }
    const subscription = subscriptionOf(messages);
    const reader = new PageReader(subscription, null, (e) => e, 2);
    const first = await reader.next();
    expect(first).toMatchObject({ kind: 'page', to: '1' });
    // Let the reader run as far as it may: the page handed out plus two ahead of it.
    for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    expect(subscription.handedOut).toBeLessThanOrEqual(6);
    await reader.close();
    expect(await reader.next()).toBeUndefined();
  });

  it('hands pages read ahead on merged, up to its size, never past a caughtUp', async () => {
    const messages: SubscriptionMessage[] = [];
    for (let page = 1; page <= 4; page++) {
      messages.push({ kind: 'event', event: event(`${page}a`) });
      messages.push({ kind: 'event', event: event(`${page}b`) });
      messages.push({ kind: 'checkpoint', position: `${page}` });
    }
    messages.push({ kind: 'caughtUp', position: '4' });
    messages.push({ kind: 'event', event: event('5a') });
    messages.push({ kind: 'checkpoint', position: '5' });
    const reader = new PageReader(subscriptionOf(messages), null, (e) => e, 10, 4);
    // Once everything is read ahead: pages 1+2, 3+4 (four events each), caughtUp, then 5.
    for (let turn = 0; turn < 50; turn++) await Promise.resolve();
    const items = [];
    for (let item = await reader.next(); item; item = await reader.next()) items.push(item);
    expect(items).toEqual([
      { kind: 'page', from: null, to: '2', events: ['1a', '1b', '2a', '2b'].map(event) },
      { kind: 'page', from: '2', to: '4', events: ['3a', '3b', '4a', '4b'].map(event) },
      { kind: 'caughtUp', position: '4' },
      { kind: 'page', from: '4', to: '5', events: [event('5a')] },
    ]);
  });

  it('rejects with the subscription’s own failure once the pages before it are read', async () => {
    const failing: Subscription = {
      async *[Symbol.asyncIterator]() {
        yield { kind: 'checkpoint', position: '1' } as SubscriptionMessage;
        throw new Error('store gone');
      },
      close: async () => {},
    };
    const reader = new PageReader(failing, null, (e) => e);
    expect(await reader.next()).toMatchObject({ kind: 'page', to: '1' });
    await expect(reader.next()).rejects.toThrow('store gone');
  });
});
