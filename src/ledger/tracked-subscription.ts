import type { Subscription, SubscriptionMessage } from './event-log.port';

/**
 * A Subscription over an adapter's message generator, kept in the adapter's set of open
 * subscriptions until closed. `interrupt` must make a generator that is waiting return.
 */
export function trackedSubscription(
  messages: AsyncGenerator<SubscriptionMessage, void, undefined>,
  open: Set<Subscription>,
  interrupt: () => Promise<void> | void,
): Subscription {
  const subscription: Subscription = {
    [Symbol.asyncIterator]: () => messages,
    close: async () => {
      open.delete(subscription);
      await interrupt();
      await messages.return(undefined);
    },
  };
  open.add(subscription);
  return subscription;
}
