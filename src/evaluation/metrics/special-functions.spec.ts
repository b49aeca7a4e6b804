import {
  chiSquareSurvival,
  logGamma,
  regularizedUpperGamma,
  twoSidedNormalP,
} from './special-functions';

describe('special functions', () => {
  it('logGamma matches factorials and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln(100!)
  });

  it('chi-square survival matches closed forms (df 2: e^(−x/2); df 4: e^(−x/2)(1 + x/2))', () => {
    for (const x of [0.01, 0.5, 1, 3, 7.5, 20, 60]) {
      expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 13);
      expect(chiSquareSurvival(x, 4)).toBeCloseTo(Math.exp(-x / 2) * (1 + x / 2), 13);
    }
  });

  it('chi-square survival matches the table critical values', () => {
    // Table: χ²₀.₉₅(8) = 15.507 (rounded), so sf(15.507, 8) ≈ 0.05 (0.0500052 unrounded).
    expect(chiSquareSurvival(15.507, 8)).toBeCloseTo(0.0500052, 6);
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(20.09, 8)).toBeCloseTo(0.01, 4); // χ²₀.₉₉(8) = 20.090
    expect(chiSquareSurvival(100, 50) / 3.4549e-5).toBeCloseTo(1, 3); // deep tail, relative
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(Infinity, 3)).toBe(0);
  });

  it('two-sided normal p-values', () => {
    expect(twoSidedNormalP(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedNormalP(0)).toBe(1);
    expect(twoSidedNormalP(-1)).toBeCloseTo(0.31731050786291415, 12); // erfc(1/√2)
  });

  it('rejects parameters outside its domain', () => {
    expect(() => regularizedUpperGamma(0, 1)).toThrow(RangeError);
    expect(() => regularizedUpperGamma(1, -1)).toThrow(RangeError);
  });
});
