import { ValidationOptions, ValidateBy } from 'class-validator';
import { MAX_COUNT, MAX_MEASURE } from './validation';

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$/;

/** The longest group label, in characters (code points). */
export const MAX_GROUP_LABEL = 100;
/** Letters, marks, digits, punctuation and symbols, with single spaces inside only. */
const GROUP_LABEL = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+(?: [\p{L}\p{M}\p{N}\p{P}\p{S}]+)*$/u;

/**
 * A group of a protected attribute as people name it: `65+`, `<25`, `25-34`, `>=65`, `18–24`,
 * `under 25`. Refused: control and format characters (line breaks, tabs, bidirectional
 * overrides), other white space than single inner spaces, more than MAX_GROUP_LABEL characters,
 * and `__proto__`, which a JavaScript object cannot hold as a plain key. Every accepted label is
 * a JSON string PostgreSQL's jsonb stores as sent (NUL and lone surrogates never reach here: the
 * body parser refuses them).
 */
export function isGroupLabel(key: string): boolean {
  return key !== '__proto__' && [...key].length <= MAX_GROUP_LABEL && GROUP_LABEL.test(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object of `minEntries` to `maxEntries` entries, each of which `entryIsValid` accepts; what
 * IsNumberRecord and IsCountRecord share.
 */
function IsRecordOf(
  name: string,
  minEntries: number,
  maxEntries: number,
  entryIsValid: (key: string, value: unknown) => boolean,
  message: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate(value: unknown): boolean {
          if (!isPlainObject(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length >= minEntries &&
            entries.length <= maxEntries &&
            entries.every(([key, entry]) => entryIsValid(key, entry))
          );
        },
        defaultMessage: (args) => `${args?.property ?? 'value'} ${message}`,
      },
    },
    options,
  );
}

/**
 * An object of finite numbers within ±MAX_MEASURE keyed by metric (or group) names, e.g.
 * `{ "auc": 0.81 }`: what metrics, baselines and per-group fairness figures are.
 */
export function IsNumberRecord(
  limits: { minEntries?: number; maxEntries?: number; keys?: 'names' | 'group-labels' } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const minEntries = limits.minEntries ?? 1;
  const maxEntries = limits.maxEntries ?? 500;
  const labels = limits.keys === 'group-labels';
  return IsRecordOf(
    'isNumberRecord',
    minEntries,
    maxEntries,
    (key, number) =>
      (labels ? isGroupLabel(key) : KEY.test(key)) &&
      typeof number === 'number' &&
      Number.isFinite(number) &&
      Math.abs(number) <= MAX_MEASURE,
    labels
      ? `must be an object of ${minEntries} to ${maxEntries} finite numbers within ±${MAX_MEASURE} keyed by group labels of 1 to ${MAX_GROUP_LABEL} letters, digits, punctuation or symbols with single spaces inside, no control characters (e.g. {"<25": 0.31, "25-34": 0.33, "65+": 0.3})`
      : `must be an object of ${minEntries} to ${maxEntries} finite numbers within ±${MAX_MEASURE} keyed by names of letters, digits and _.:/@- (e.g. {"auc": 0.81})`,
    options,
  );
}

/**
 * An object of whole counts from 0 to MAX_COUNT keyed by short labels (categories, output
 * classes), e.g. `{ "approve": 812 }`; labels are 1 to `maxKeyLength` characters.
 */
export function IsCountRecord(
  limits: { minEntries?: number; maxEntries?: number; maxKeyLength?: number } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const minEntries = limits.minEntries ?? 0;
  const maxEntries = limits.maxEntries ?? 1000;
  const maxKeyLength = limits.maxKeyLength ?? 200;
  return IsRecordOf(
    'isCountRecord',
    minEntries,
    maxEntries,
    (key, count) =>
      key.length >= 1 &&
      key.length <= maxKeyLength &&
      Number.isSafeInteger(count) &&
      (count as number) >= 0 &&
      (count as number) <= MAX_COUNT,
    `must be an object of ${minEntries} to ${maxEntries} whole counts from 0 to ${MAX_COUNT}, keyed by labels of 1 to ${maxKeyLength} characters`,
    options,
  );
}
