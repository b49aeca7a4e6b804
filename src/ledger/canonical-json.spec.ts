import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units, recursively', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    // RFC 8785 §3.2.3 example: "\u20ac" sorts after "\r" and before the emoji's surrogate pair.
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4 })).toBe(
      '{"\\r":2,"1":4,"€":1,"😀":3}',
    );
  });

  it('reorders members nested under objects and arrays that are already in order, without touching the input', () => {
    const input = { a: { d: 1, c: 2 }, b: [{ y: 1, x: 2 }, 3, { m: undefined, k: 'v' }], c: 'z' };
    const before = JSON.stringify(input);
    expect(canonicalJson(input)).toBe(
      '{"a":{"c":2,"d":1},"b":[{"x":2,"y":1},3,{"k":"v"}],"c":"z"}',
    );
    expect(JSON.stringify(input)).toBe(before);
    expect(canonicalJson({ a: 1, b: { c: [1, { d: true }] } })).toBe(
      '{"a":1,"b":{"c":[1,{"d":true}]}}',
    );
  });

  it('orders integer-like keys as strings too, unlike JavaScript objects', () => {
    expect(canonicalJson({ b: { '10': 1, '9': 2, a: 3 }, a: [{ '2': null, '1': true }] })).toBe(
      '{"a":[{"1":true,"2":null}],"b":{"10":1,"9":2,"a":3}}',
    );
  });

  it('keeps a member named __proto__ as data', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"x":1},"a":{"z":0,"__proto__":2}}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":{"__proto__":2,"z":0},"b":1}');
  });

  it('writes numbers in ECMAScript shortest form', () => {
    expect(canonicalJson([1.0, 1e21, 1e-7, -0, 0.1, 333333333.3333333])).toBe(
      '[1,1e+21,1e-7,0,0.1,333333333.3333333]',
    );
  });

  it('escapes strings minimally and drops undefined members', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001', u: undefined })).toBe(
      '{"s":"a\\"b\\\\c\\n\\u0001"}',
    );
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
  });
});
