/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by UTF-16 code units,
 * numbers in ECMAScript shortest form (what JSON.stringify writes), no insignificant white space.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(sortedCopy(value));
  } catch (error) {
    if (error !== INTEGER_LIKE_KEY) throw error;
    return serialise(value);
  }
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const INTEGER_LIKE_KEY = Symbol('integer-like key');

// Fast path: a copy whose objects hold their members in canonical order, written by the native
// serialiser. JavaScript lists integer-like keys first whatever their insertion order, so a value
// with such a key takes the slower path below.
function sortedCopy(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (Array.isArray(value)) {
        const items = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) items[i] = value[i] === undefined ? null : sortedCopy(value[i]);
        return items;
      }
      const record = value as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort()) {
        if (key.charCodeAt(0) <= 0x39 && ARRAY_INDEX.test(key)) throw INTEGER_LIKE_KEY;
        if (record[key] !== undefined) copy[key] = sortedCopy(record[key]);
      }
      return copy;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

function serialise(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(sortedCopy(value));
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${serialise(record[key])}`);
  return `{${members.join(',')}}`;
}
