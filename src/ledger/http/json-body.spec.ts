import { MAX_JSON_DEPTH, jsonDepth, textFault } from './json-body';

describe('JSON body checks before validation', () => {
  it('measures nesting without parsing, ignoring brackets inside strings', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[{{{{","b":"\\"[["}'))).toBe(1);
    expect(jsonDepth(Buffer.from('12'))).toBe(0);
    const deep = Buffer.from('['.repeat(5000) + ']'.repeat(5000));
    expect(jsonDepth(deep, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });

  it('names the first string a text column cannot hold as sent, key or value', () => {
    expect(textFault({ a: 'fine', b: ['ok', { c: 'émoji 😀' }] })).toBeUndefined();
    expect(textFault({ a: { b: 'x\u0000y' } })).toBe('a.b');
    expect(textFault({ list: ['ok', '\ud800'] })).toBe('list.1');
    expect(textFault({ a: 'lone low \udc00 surrogate' })).toBe('a');
    expect(textFault({ nested: { 'bad\u0000key': 1 } })).toBe('nested');
    expect(textFault(['\u0000'])).toBe('0');
  });
});
