import { Type as Constructor } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { isInstant } from '../as-of.request.dto';
import { isCalendarDate } from '../../calendar-date';
import { defaultLimit, type Listing, maxLimit, sortParams } from './listing';

export interface PageQuery {
  after?: string;
  limit?: number;
  sort?: string;
  from?: string;
  to?: string;
}

export const NEXT_CURSOR =
  'Pass as `after` (with the same sort) for the next page; null on the last page';

function IsBound(type: 'timestamptz' | 'date'): PropertyDecorator {
  const hint =
    type === 'date'
      ? 'a calendar date YYYY-MM-DD'
      : 'an ISO 8601 instant with a time zone (e.g. 2026-03-01T00:00:00Z)';
  return ValidateBy({
    name: 'isRangeBound',
    validator: {
      validate: (value: unknown) => (type === 'date' ? isCalendarDate(value) : isInstant(value)),
      defaultMessage: (args) => `${args?.property ?? 'from'} must be ${hint}`,
    },
  });
}

/**
 * The query parameters every list endpoint shares, for one listing: `after` (the previous page's
 * nextCursor), `limit`, `sort` (the listing's orders, `-` for descending) and, where the listing
 * has a time to filter on, `from` (inclusive) and `to` (exclusive). A list's own request class
 * extends this and adds its filters.
 */
export function PageRequest(listing: Listing): Constructor<PageQuery> {
  class ListPageRequest implements PageQuery {
    @ApiPropertyOptional({
      description:
        'The previous page’s nextCursor (opaque). Valid only with the same sort; keep the same filters to walk one list',
      example: 'WyJuYW1lIiwiY3JlZGl0LXJpc2siXQ',
    })
    @IsOptional()
    @IsString()
    @MaxLength(2000)
    after?: string;

    @ApiPropertyOptional({
      minimum: 1,
      maximum: maxLimit(listing),
      default: defaultLimit(listing),
      description: 'Items per page',
    })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit(listing))
    limit?: number;

    @ApiPropertyOptional({
      enum: sortParams(listing),
      default: listing.defaultSort,
      description: 'Order of the items: a field ascending, or descending with a leading -',
    })
    @IsOptional()
    @IsIn(sortParams(listing), {
      message: `sort must be one of ${sortParams(listing).join(', ')}`,
    })
    sort?: string;

    from?: string;
    to?: string;
  }
  const range = listing.range;
  if (range) {
    const format = range.type === 'date' ? 'date' : 'date-time';
    const example = range.type === 'date' ? '2026-03-01' : '2026-03-01T00:00:00Z';
    for (const [field, description] of [
      ['from', `Only items whose ${range.name} is at or after this`],
      ['to', `Only items whose ${range.name} is before this`],
    ] as const) {
      const decorate = (d: PropertyDecorator) => d(ListPageRequest.prototype, field);
      decorate(ApiPropertyOptional({ format, example, description }));
      decorate(IsOptional());
      decorate(IsBound(range.type));
    }
  }
  return ListPageRequest;
}
