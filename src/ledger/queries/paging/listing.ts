import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidRequest } from '../../ledger.errors';

/**
 * Keyset ("seek") pagination shared by every list endpoint.
 *
 * A listing names the orders a client may ask for (`sort=name`, `sort=-registeredAt`) and, for
 * each, the columns that make the order total (the last one unique). A page is the rows after the
 * cursor in that order; the cursor is the previous page's last row's key, opaque to the client
 * (base64url JSON) and bound to the sort it was made for. Offsets are never used: a page costs
 * the same at the millionth row as at the first, and rows inserted meanwhile neither repeat nor
 * vanish from later pages.
 */

export type KeyType = 'text' | 'timestamptz' | 'date' | 'uuid' | 'integer';

export interface SortColumn {
  /** What the query compares and orders by: `alias.property` for TypeORM, a column in raw SQL. */
  readonly expr: string;
  readonly type: KeyType;
  /** The row field that holds this column's value in the query's result. */
  readonly field: string;
}

export interface Listing<S extends string = string> {
  /** Each public sort name → the columns that order it (non-null; the last unique). */
  readonly sorts: Readonly<Record<S, readonly SortColumn[]>>;
  /** `name` ascending or `-name` descending. */
  readonly defaultSort: SortParam<S>;
  /** The instant `from`/`to` filter on, and its public name (for docs and errors). */
  readonly range?: {
    readonly expr: string;
    readonly type: 'timestamptz' | 'date';
    readonly name: string;
  };
  readonly maxLimit?: number;
  readonly defaultLimit?: number;
}

export type SortParam<S extends string> = S | `-${S}`;

export interface PageParams {
  readonly sort?: string;
  readonly after?: string;
  readonly limit?: number;
  readonly from?: string;
  readonly to?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type KeyValue = string | number;

interface ResolvedPage {
  readonly sort: string;
  readonly columns: readonly SortColumn[];
  readonly descending: boolean;
  readonly after: readonly KeyValue[] | null;
  readonly limit: number;
}

export function sortParams<S extends string>(listing: Listing<S>): SortParam<S>[] {
  return (Object.keys(listing.sorts) as S[]).flatMap((s): SortParam<S>[] => [s, `-${s}`]);
}

export function defaultLimit(listing: Listing): number {
  return listing.defaultLimit ?? 100;
}

export function maxLimit(listing: Listing): number {
  return listing.maxLimit ?? 500;
}

const refuse = (field: string, message: string): never => {
  throw new InvalidRequest(`invalid ${field}`, { [field]: [message] });
};

function keyValue(value: unknown): KeyValue {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`sort key value ${String(value)} is neither text, number nor instant`);
}

export function encodeCursor(sort: string, key: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify([sort, ...key]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: string, columns: readonly SortColumn[]): KeyValue[] {
  const notOurs = 'after must be the nextCursor of a previous page of this list';
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse('after', notOurs);
  }
  if (!Array.isArray(decoded) || typeof decoded[0] !== 'string') return refuse('after', notOurs);
  const [madeFor, ...key] = decoded as [string, ...unknown[]];
  if (madeFor !== sort) {
    refuse('after', `after was made for sort=${madeFor}; ask again from the first page`);
  }
  if (key.length !== columns.length || !key.every((v, i) => fits(v, columns[i].type))) {
    refuse('after', notOurs);
  }
  return key as KeyValue[];
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fits(value: unknown, type: KeyType): boolean {
  switch (type) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'uuid':
      return typeof value === 'string' && UUID_TEXT.test(value);
    case 'timestamptz':
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'text':
      return typeof value === 'string' && value.length <= 1000 && !value.includes('\u0000');
  }
}

function resolve(listing: Listing, params: PageParams): ResolvedPage {
  const sort = params.sort ?? listing.defaultSort;
  const descending = sort.startsWith('-');
  const columns = (listing.sorts as Record<string, readonly SortColumn[]>)[
    descending ? sort.slice(1) : sort
  ];
  if (!columns) {
    refuse('sort', `sort must be one of ${sortParams(listing).join(', ')}`);
  }
  if (params.from !== undefined && params.to !== undefined && params.from > params.to) {
    // Instants with different offsets compare correctly only as instants.
    if (Date.parse(params.from) > Date.parse(params.to)) refuse('to', 'to must not be before from');
  }
  return {
    sort,
    columns,
    descending,
    after: params.after === undefined ? null : decodeCursor(params.after, sort, columns),
    limit: Math.min(params.limit ?? defaultLimit(listing), maxLimit(listing)),
  };
}

/**
 * SQL for one page: conditions (the date range and the seek past the cursor) to AND into the
 * query's WHERE and its ORDER BY. The query fetches `page.limit + 1` rows: the extra one says
 * whether a next page exists and is never returned. `bind` adds a parameter, giving its placeholder.
 */
function pageClauses(
  listing: Listing,
  params: PageParams,
  bind: (value: unknown) => string,
): { where: string[]; order: [string, 'ASC' | 'DESC'][]; page: ResolvedPage } {
  const page = resolve(listing, params);
  const where: string[] = [];
  if (listing.range) {
    const { expr, type } = listing.range;
    if (params.from !== undefined) where.push(`${expr} >= CAST(${bind(params.from)} AS ${type})`);
    if (params.to !== undefined) where.push(`${expr} < CAST(${bind(params.to)} AS ${type})`);
  }
  if (page.after) {
    const cols = page.columns.map((c) => c.expr).join(', ');
    const vals = page.columns
      .map((c, i) => `CAST(${bind(page.after?.[i])} AS ${c.type})`)
      .join(', ');
    where.push(`(${cols}) ${page.descending ? '<' : '>'} (${vals})`);
  }
  const direction = page.descending ? 'DESC' : 'ASC';
  return { where, order: page.columns.map((c) => [c.expr, direction]), page };
}

/** The page's items (the extra row dropped) and the cursor to the next page, if there is one. */
function toPage<T>(rows: T[], page: ResolvedPage): Page<T> {
  if (rows.length <= page.limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1] as Record<string, unknown>;
  return {
    items,
    nextCursor: encodeCursor(
      page.sort,
      page.columns.map((c) => keyValue(last[c.field])),
    ),
  };
}

/**
 * One page of a raw SQL list. `build` assembles the statement from the page's conditions (AND
 * them with the list's own filters, bound through `bind`), its ORDER BY and its LIMIT.
 */
export async function pageSql<T>(
  listing: Listing,
  params: PageParams,
  query: (sql: string, parameters: unknown[]) => Promise<unknown>,
  build: (bind: (value: unknown) => string, page: SqlPage) => string,
): Promise<Page<T>> {
  const parameters: unknown[] = [];
  const bind = (value: unknown) => `$${parameters.push(value)}`;
  const clauses = pageClauses(listing, params, bind);
  const sql = build(bind, {
    where: clauses.where,
    orderBy: clauses.order.map(([expr, direction]) => `${expr} ${direction}`).join(', '),
    limit: bind(clauses.page.limit + 1),
  });
  return toPage((await query(sql, parameters)) as T[], clauses.page);
}

export interface SqlPage {
  readonly where: readonly string[];
  readonly orderBy: string;
  readonly limit: string;
}

/** One page of a TypeORM query: its filters are already on `query`; entities come back mapped. */
export async function pageQuery<T extends ObjectLiteral>(
  listing: Listing,
  params: PageParams,
  query: SelectQueryBuilder<T>,
): Promise<Page<T>> {
  let n = 0;
  const bind = (value: unknown) => {
    const name = `page_${n++}`;
    query.setParameter(name, value);
    return `:${name}`;
  };
  const clauses = pageClauses(listing, params, bind);
  for (const condition of clauses.where) query.andWhere(condition);
  clauses.order.forEach(([expr, direction], i) =>
    i === 0 ? query.orderBy(expr, direction) : query.addOrderBy(expr, direction),
  );
  return toPage(await query.limit(clauses.page.limit + 1).getMany(), clauses.page);
}

/** `WHERE a AND b`, or nothing when there are no conditions. */
export function whereAll(conditions: readonly string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * The same page over a list already in memory (a point-in-time answer folded from history): the
 * same sorts, cursors and range, compared as the database would for these key types.
 */
export function pageInMemory<T extends object>(
  listing: Listing,
  params: PageParams,
  all: readonly T[],
  rangeValue?: (item: T) => string | Date,
): Page<T> {
  const page = resolve(listing, params);
  const key = (item: T) =>
    page.columns.map((c) => keyValue((item as Record<string, unknown>)[c.field]));
  const sign = page.descending ? -1 : 1;
  const from = params.from === undefined ? null : Date.parse(params.from);
  const to = params.to === undefined ? null : Date.parse(params.to);
  const inRange = (item: T) => {
    if (!rangeValue || (from === null && to === null)) return true;
    const at = new Date(rangeValue(item)).getTime();
    return (from === null || at >= from) && (to === null || at < to);
  };
  const sorted = all
    .filter(inRange)
    .map((item) => ({ item, key: key(item) }))
    .sort((a, b) => sign * compareKeys(a.key, b.key, page.columns));
  const after = page.after;
  const rest = after
    ? sorted.filter(({ key: k }) => sign * compareKeys(k, after, page.columns) > 0)
    : sorted;
  return toPage(
    rest.slice(0, page.limit + 1).map(({ item }) => item),
    page,
  );
}

function compareKeys(
  a: readonly KeyValue[],
  b: readonly KeyValue[],
  columns: readonly SortColumn[],
): number {
  for (let i = 0; i < columns.length; i++) {
    const [x, y] = [a[i], b[i]];
    const type = columns[i].type;
    const order =
      type === 'timestamptz' || type === 'date'
        ? Date.parse(String(x)) - Date.parse(String(y))
        : type === 'integer'
          ? Number(x) - Number(y)
          : String(x) < String(y)
            ? -1
            : String(x) > String(y)
              ? 1
              : 0;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}
