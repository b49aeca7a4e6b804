import { createHash } from 'node:crypto';
import { EMPTY_HEAD, GENESIS_HASH, eventHash, sealEvents } from './hash-chain';
import type { NewEvent } from './event-log.port';

const metadata = {
  schemaVersion: 1,
  occurredAt: '2026-11-27T00:00:00.000Z',
  actor: { sub: 'pipeline-1', roles: ['pipeline'] },
  correlationId: 'c-1',
  causationId: 'c-1',
};

function event(id: string, data: NewEvent['data']): NewEvent {
  return { id, type: 'DatasetVersionRegistered', data, metadata };
}

describe('hash chain', () => {
  it('starts at the genesis hash and links each event to the previous one', () => {
    const [first, second] = sealEvents('dataset-loans', EMPTY_HEAD, [
      event('018f0000-0000-7000-8000-000000000001', { version: '1' }),
      event('018f0000-0000-7000-8000-000000000002', { version: '2' }),
    ]);
    expect(first.revision).toBe(0n);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.revision).toBe(1n);
    expect(second.prevHash).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.hash).not.toBe(first.hash);
  });

  it('is independent of key order and ignores any integrity the caller passed', () => {
    const fields = {
      stream: 's-1',
      revision: 3n,
      id: 'e',
      type: 'T',
      data: { a: 1, b: [1, 2] },
      metadata,
      prevHash: GENESIS_HASH,
    };
    const reordered = {
      ...fields,
      data: { b: [1, 2], a: 1 },
      metadata: { ...metadata, integrity: { prevHash: 'x', hash: 'y' } },
    };
    expect(eventHash(reordered)).toBe(eventHash(fields));
  });

  it('changes when any covered field changes', () => {
    const base = {
      stream: 's-1',
      revision: 0n,
      id: 'e',
      type: 'T',
      data: { a: 1 },
      metadata,
      prevHash: GENESIS_HASH,
    };
    const hash = eventHash(base);
    expect(eventHash({ ...base, stream: 's-2' })).not.toBe(hash);
    expect(eventHash({ ...base, revision: 1n })).not.toBe(hash);
    expect(eventHash({ ...base, id: 'f' })).not.toBe(hash);
    expect(eventHash({ ...base, type: 'U' })).not.toBe(hash);
    expect(eventHash({ ...base, data: { a: 2 } })).not.toBe(hash);
    expect(eventHash({ ...base, metadata: { ...metadata, correlationId: 'c-2' } })).not.toBe(hash);
    expect(eventHash({ ...base, prevHash: 'f'.repeat(64) })).not.toBe(hash);
  });

  it('matches a fixed vector, so every adapter and the offline verifier agree', () => {
    // sha256 of {"data":{},"id":"e","metadata":{...},"prevHash":"000…","revision":0,"stream":"s","type":"T"}
    const canonical =
      '{"data":{},"id":"e","metadata":{"actor":{"roles":["pipeline"],"sub":"pipeline-1"},"causationId":"c-1","correlationId":"c-1","occurredAt":"2026-11-27T00:00:00.000Z","schemaVersion":1},"prevHash":"' +
      GENESIS_HASH +
      '","revision":0,"stream":"s","type":"T"}';
    const expected = createHash('sha256').update(canonical).digest('hex');
    expect(
      eventHash({
        stream: 's',
        revision: 0n,
        id: 'e',
        type: 'T',
        data: {},
        metadata,
        prevHash: GENESIS_HASH,
      }),
    ).toBe(expected);
  });
});
