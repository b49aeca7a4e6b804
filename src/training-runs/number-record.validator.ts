import { ValidationOptions, ValidateBy } from 'class-validator';
import { MAX_COUNT, MAX_MEASURE } from '../ledger/http/validation';

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$/;

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
  limits: { minEntries?: number; maxEntries?: number } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const minEntries = limits.minEntries ?? 1;
  const maxEntries = limits.maxEntries ?? 500;
  return IsRecordOf(
    'isNumberRecord',
    minEntries,
    maxEntries,
    (key, number) =>
      KEY.test(key) &&
      typeof number === 'number' &&
      Number.isFinite(number) &&
      Math.abs(number) <= MAX_MEASURE,
    `must be an object of ${minEntries} to ${maxEntries} finite numbers within ±${MAX_MEASURE} keyed by names of letters, digits and _.:/@- (e.g. {"auc": 0.81})`,
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
