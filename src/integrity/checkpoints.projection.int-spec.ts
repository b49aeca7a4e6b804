import {
  checkpointSigned,
  mixedLedger,
  signingKeyActivated,
  statementsToApply,
} from '../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../tests/support/projection-spec';
import { CheckpointsProjection } from './checkpoints.projection';

describe('ledger-checkpoints projection', () => {
  let spec: ProjectionSpec<CheckpointsProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(CheckpointsProjection);
  }, 120_000);
  afterAll(() => spec?.close());

  const tables = async () => ({
    checkpoints: await spec.rows(
      `SELECT tree_size::int, root_hash, log_id, signed_at, key_id, jws, event_id
         FROM ledger_checkpoints ORDER BY tree_size`,
    ),
    keys: await spec.rows('SELECT * FROM ledger_signing_keys ORDER BY key_id'),
  });

  it('handles signed checkpoints and key activations, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'LedgerCheckpointSigned',
      'LedgerSigningKeyActivated',
    ]);
  });

  it('records each checkpoint by tree size and each key, with every column', async () => {
    const recorded = await spec.given([
      signingKeyActivated('key-1'),
      checkpointSigned(10, 'key-1'),
      checkpointSigned(12, 'key-1'),
    ]);
    const signed = checkpointSigned(10, 'key-1');
    expect(await tables()).toEqual({
      checkpoints: [
        {
          tree_size: 10,
          root_hash: 'e1'.repeat(32),
          log_id: 'attest-test',
          signed_at: new Date(signed.data.timestamp),
          key_id: 'key-1',
          jws: signed.data.jws,
          event_id: recorded[1].id,
        },
        expect.objectContaining({ tree_size: 12, event_id: recorded[2].id }),
      ],
      keys: [
        {
          key_id: 'key-1',
          public_jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' },
          activated_at: new Date(signed.data.timestamp),
          event_id: recorded[0].id,
        },
      ],
    });
  });

  it('keeps the first recorded checkpoint of a size and activation of a key: in a page, across pages', async () => {
    const recorded = await spec.given([
      checkpointSigned(5, 'key-1', 'e1'),
      signingKeyActivated('key-1', 'first'),
      checkpointSigned(5, 'key-2', 'e2'),
      signingKeyActivated('key-1', 'second'),
    ]);
    const expected = {
      checkpoints: [
        expect.objectContaining({ tree_size: 5, key_id: 'key-1', event_id: recorded[0].id }),
      ],
      keys: [
        expect.objectContaining({
          key_id: 'key-1',
          public_jwk: expect.objectContaining({ x: 'first' }),
        }),
      ],
    };
    expect(await tables()).toEqual(expected);
    await spec.given([checkpointSigned(5, 'key-3', 'e3'), signingKeyActivated('key-1', 'third')], {
      keep: true,
    });
    await spec.apply(recorded);
    expect(await tables()).toEqual(expected);
  });

  it('holds the same rows rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive([
      signingKeyActivated('key-1'),
      ...mixedLedger(200),
      checkpointSigned(150, 'key-2'),
      signingKeyActivated('key-2'),
      signingKeyActivated('key-2', 'later'),
    ]);
  });

  it('writes a page in one statement', async () => {
    await spec.truncate();
    const recorded = spec.record([signingKeyActivated('key-9'), ...mixedLedger(1000)]);
    expect(await statementsToApply(spec, recorded, null)).toBe(1);
  });
});
