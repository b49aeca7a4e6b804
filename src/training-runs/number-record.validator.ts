import { ValidationOptions, ValidateBy } from 'class-validator';

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$/;

/**
 * An object of finite numbers keyed by metric (or group) names, e.g. `{ "auc": 0.81 }`: what
 * metrics, baselines and per-group fairness figures are.
 */
export function IsNumberRecord(
  limits: { minEntries?: number; maxEntries?: number } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const minEntries = limits.minEntries ?? 1;
  const maxEntries = limits.maxEntries ?? 500;
  return ValidateBy(
    {
      name: 'isNumberRecord',
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length >= minEntries &&
            entries.length <= maxEntries &&
            entries.every(([key, number]) => KEY.test(key) && Number.isFinite(number))
          );
        },
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an object of ${minEntries} to ${maxEntries} finite numbers keyed by names of letters, digits and _.:/@- (e.g. {"auc": 0.81})`,
      },
    },
    options,
  );
}
