import { INSTANCE_LOCK_NAMESPACE } from './commands/idempotency-owner';
import { STREAM_LOCK_NAMESPACE, streamLockKey } from './stream-lock-key';

describe('stream locks', () => {
  it('live apart from the instance locks each process holds for its lifetime, so no append waits on a process', () => {
    expect(STREAM_LOCK_NAMESPACE).not.toBe(INSTANCE_LOCK_NAMESPACE);
  });

  it('key a stream by a 32-bit integer, the same every time', () => {
    const key = streamLockKey('model-credit-risk');
    expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    expect(streamLockKey('model-credit-risk')).toBe(key);
    expect(streamLockKey('model-credit-risk2')).not.toBe(key);
  });
});
