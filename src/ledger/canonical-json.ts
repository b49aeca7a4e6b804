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

// Fast path: the value itself where its objects already list their members in canonical order,
// otherwise a copy that does, for the native serialiser to write. JavaScript lists integer-like
// keys first whatever their insertion order, so a value with such a key takes the slower path.
function sortedCopy(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError('canonical JSON cannot hold NaN or Infinity');
      return value;
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      return Array.isArray(value)
        ? sortedArray(value)
        : sortedRecord(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

function sortedArray(items: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = sortedCopy(items[i]);
    if (item !== items[i] && !copy) copy = items.slice(0, i);
    if (copy) copy.push(item);
  }
  return copy ?? items;
}

function sortedRecord(record: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(record);
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].charCodeAt(0) <= 0x39 && ARRAY_INDEX.test(keys[i])) throw INTEGER_LIKE_KEY;
    if (i > 0 && keys[i - 1] > keys[i]) inOrder = false;
  }
  if (!inOrder) keys.sort();
  let copy: Record<string, unknown> | undefined = inOrder ? undefined : plainCopy(keys);
  for (let i = 0; i < keys.length; i++) {
    const original = record[keys[i]];
    const member = sortedCopy(original);
    if (!copy && member !== original) {
      copy = plainCopy(keys);
      for (let j = 0; j < i; j++) copy[keys[j]] = record[keys[j]];
    }
    if (copy && member !== undefined) copy[keys[i]] = member;
  }
  return copy ?? record;
}

/**
 * An empty object for a sorted copy: an ordinary one, which the native serialiser writes
 * fastest, unless a member is named __proto__, which only an object with no prototype keeps as
 * data rather than swallowing.
 */
function plainCopy(keys: readonly string[]): Record<string, unknown> {
  return keys.includes('__proto__') ? (Object.create(null) as Record<string, unknown>) : {};
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
