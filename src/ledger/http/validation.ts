import { ValidationError, ValidationPipe, applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNumber,
  Max,
  Min,
  IsObject,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { InvalidRequest } from '../ledger.errors';

function collect(
  errors: ValidationError[],
  prefix = '',
  into: Record<string, string[]> = {},
): Record<string, string[]> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) into[path] = Object.values(error.constraints);
    if (error.children?.length) collect(error.children, path, into);
  }
  return into;
}

/** Whitelists, forbids unknown fields and transforms; failures name every field at fault. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = collect(errors);
      return new InvalidRequest(`invalid ${Object.keys(fields).join(', ')}`, fields);
    },
  });
}

/**
 * Optional means absent: `null` is validated like any other value and refused, so a field a
 * request may leave out never reaches a read model as null.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

interface NestedOptions {
  optional?: boolean;
}

/** A nested object of `type`: required unless optional, never null, an array or a scalar. */
export function NestedObject(type: () => new () => object, options: NestedOptions = {}) {
  return applyDecorators(
    options.optional ? Optional() : IsDefined(),
    IsObject({ message: ({ property }) => `${property} must be an object` }),
    ValidateNested(),
    Type(type),
  );
}

/** An array of nested objects of `type`, each an object (not null, an array or a scalar). */
export function NestedArray(
  type: () => new () => object,
  options: NestedOptions & { min?: number; max: number },
) {
  return applyDecorators(
    options.optional ? Optional() : IsDefined(),
    IsArray({ message: ({ property }) => `${property} must be an array` }),
    ArrayMinSize(options.min ?? 0),
    ArrayMaxSize(options.max),
    IsObject({ each: true, message: ({ property }) => `each of ${property} must be an object` }),
    ValidateNested({ each: true }),
    Type(type),
  );
}

/** The largest count a request may carry: exact in JSON and JavaScript, and fits a bigint column. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** The largest magnitude of a measured value (metric, threshold, latency, statistic). */
export const MAX_MEASURE = 1e15;

/** A whole count from 0 (or `min`) to MAX_COUNT. */
export function IsCount(options: { min?: number; each?: boolean } = {}) {
  const each = options.each ?? false;
  return applyDecorators(
    IsInt({ each }),
    Min(options.min ?? 0, { each }),
    Max(MAX_COUNT, { each }),
  );
}

/** A finite number within ±MAX_MEASURE (or from `min`), so sums and averages stay finite. */
export function IsMeasure(options: { min?: number; each?: boolean } = {}) {
  const each = options.each ?? false;
  return applyDecorators(
    IsNumber({ allowNaN: false, allowInfinity: false }, { each }),
    Min(options.min ?? -MAX_MEASURE, { each }),
    Max(MAX_MEASURE, { each }),
  );
}
