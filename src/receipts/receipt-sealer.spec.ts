import { createHash } from 'node:crypto';
import { inputDigestOf, summarise } from './receipt-sealer';
import { receiptHash } from '../serving/decision-receipt';
import { TEST_BINNING, testReceipt } from '../../tests/support/receipts';

const rowsOf = (receipts: ReturnType<typeof testReceipt>[]) =>
  receipts.map(({ receipt, summary }) => ({
    receipt,
    receipt_hash: receiptHash(receipt),
    score_bin: summary.scoreBin,
    feature_bins: summary.featureBins,
    latency_ms: summary.latencyMs,
    binning_digest: 'sha256:x',
  }));

describe('a sealed batch summary', () => {
  it('ends its window 1 ms after it starts when every receipt was scored in the same millisecond', () => {
    const at = '2026-01-05T09:00:00.000Z';
    const data = summarise(
      'b',
      rowsOf([testReceipt(1, { scoredAt: at }), testReceipt(2, { scoredAt: at })]),
      TEST_BINNING,
      'ab',
    );
    expect(data.window).toEqual({ from: at, to: '2026-01-05T09:00:00.001Z' });
  });

  it('spans the earliest to the latest scoring time, whatever the write order', () => {
    const data = summarise(
      'b',
      rowsOf([
        testReceipt(1, { scoredAt: '2026-01-05T09:00:02.000Z' }),
        testReceipt(2, { scoredAt: '2026-01-05T09:00:01.000Z' }),
        testReceipt(3, { scoredAt: '2026-01-05T09:00:03.000Z' }),
      ]),
      TEST_BINNING,
      'ab',
    );
    expect(data.window).toEqual({
      from: '2026-01-05T09:00:01.000Z',
      to: '2026-01-05T09:00:03.000Z',
    });
  });

  it('takes nearest-rank latency percentiles', () => {
    const receipts = Array.from({ length: 100 }, (_, i) => testReceipt(i));
    receipts.forEach((r, i) => (r.summary.latencyMs = 100 - i));
    const data = summarise('b', rowsOf(receipts), TEST_BINNING, 'ab');
    expect(data.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('digests the input digests in order, one per line', () => {
    const receipts = [testReceipt(1), testReceipt(2)];
    const expected = createHash('sha256')
      .update(`${receipts[0].receipt.inputDigest}\n${receipts[1].receipt.inputDigest}`)
      .digest('hex');
    expect(summarise('b', rowsOf(receipts), TEST_BINNING, 'ab').inputDigest).toBe(
      `sha256:${expected}`,
    );
    expect(inputDigestOf(receipts.map((r) => r.receipt.inputDigest).reverse())).not.toBe(
      `sha256:${expected}`,
    );
  });

  it('counts a bin index the binning has no room for as missing, never as a bin', () => {
    const odd = testReceipt(1);
    odd.summary.featureBins = { annual_income: 9, employment: null };
    const data = summarise('b', rowsOf([odd]), TEST_BINNING, 'ab');
    const income = data.bins!.features.find((f) => f.feature === 'annual_income')!;
    expect(income).toMatchObject({
      edges: [20_000, 50_000, 90_000],
      counts: [0, 0, 0, 0],
      missing: 1,
    });
  });
});
