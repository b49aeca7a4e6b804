import { deciles, frequencies, maxAbsoluteDifference } from './distribution';

describe('deciles (type 7)', () => {
  it('interpolates between order statistics as numpy.quantile does', () => {
    // 1..10: h = 9p; p = 0.1 → h 0.9 → 1 + 0.9·(2 − 1) = 1.9; p = 0.5 → h 4.5 → 5.5; p = 1 → 10.
    const d = deciles([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(d.count).toBe(10);
    expect(d.missing).toBe(0);
    const expected = [1, 1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1, 10];
    d.quantiles!.forEach((q, k) => expect(q).toBeCloseTo(expected[k], 12));
  });

  it('treats non-finite entries as missing', () => {
    // Finite values sorted [1, 2, 3]: h = 2p; p = 0.1 → 0.2 → 1.2; p = 0.5 → 1 → 2; p = 0.9 → 1.8 → 2.8.
    const d = deciles(Float64Array.from([3, 1, NaN, 2, Infinity]));
    expect(d).toMatchObject({ count: 3, missing: 2 });
    expect(d.quantiles![1]).toBeCloseTo(1.2, 12);
    expect(d.quantiles![5]).toBe(2);
    expect(d.quantiles![9]).toBeCloseTo(2.8, 12);
    expect(deciles([NaN])).toEqual({ count: 0, missing: 1, quantiles: null });
    expect(deciles([4]).quantiles).toEqual(Array(11).fill(4));
  });
});

describe('frequencies', () => {
  it('counts values most frequent first, ties by value, missing apart', () => {
    expect(frequencies(['b', 'a', 'b', null, 'c', 'a', 'b', undefined, 'd'])).toEqual({
      count: 7,
      missing: 2,
      values: [
        { value: 'b', count: 3, share: 3 / 7 },
        { value: 'a', count: 2, share: 2 / 7 },
        { value: 'c', count: 1, share: 1 / 7 },
        { value: 'd', count: 1, share: 1 / 7 },
      ],
    });
  });
});

describe('maxAbsoluteDifference', () => {
  it('finds the largest gap and its first row', () => {
    // |0.1 − 0.1| = 0, |0.5 − 0.375| = 0.125, |0.75 − 0.625| = 0.125 (first wins: row 1).
    expect(maxAbsoluteDifference([0.1, 0.5, 0.75], Float32Array.from([0.1, 0.375, 0.625]))).toEqual(
      {
        maxAbsoluteDifference: expect.closeTo(0.125, 7),
        row: 1,
      },
    );
    expect(maxAbsoluteDifference([0.2, 0.3], [0.2, 0.3])).toEqual({
      maxAbsoluteDifference: 0,
      row: 0,
    });
  });

  it('rejects bad input naming the argument', () => {
    expect(() => maxAbsoluteDifference([], [])).toThrow(/^a: must not be empty$/);
    expect(() => maxAbsoluteDifference([0.1], [0.1, 0.2])).toThrow(
      /^b: has 2 entries but a has 1$/,
    );
    expect(() => maxAbsoluteDifference([0.1, 0.2], [0.1, NaN])).toThrow(
      /^b: entry 1 is not a finite number$/,
    );
  });
});
