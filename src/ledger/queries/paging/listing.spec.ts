import { InvalidRequest } from '../../ledger.errors';
import { type Listing, encodeCursor, pageInMemory, pageSql, sortParams } from './listing';

const LISTING = {
  sorts: {
    name: [{ expr: 'name', type: 'text', field: 'name' }],
    at: [
      { expr: 'at', type: 'timestamptz', field: 'at' },
      { expr: 'id', type: 'uuid', field: 'id' },
    ],
  },
  defaultSort: 'name',
  range: { expr: 'at', type: 'timestamptz', name: 'at' },
  maxLimit: 50,
} as const satisfies Listing;

const uuid = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ITEMS = ['delta', 'alpha', 'echo', 'charlie', 'bravo'].map((name, i) => ({
  name,
  // Two share an instant: the id decides between them.
  at: new Date(Date.UTC(2026, 0, 1 + Math.min(i, 3))),
  id: uuid(i),
}));

function walk(params: { sort?: string; limit: number; from?: string; to?: string }) {
  const seen: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = pageInMemory(LISTING, { ...params, after }, ITEMS, (item) => item.at);
    seen.push(...page.items.map((item) => item.name));
    if (page.nextCursor === null) return seen;
    after = page.nextCursor;
  }
  throw new Error('the walk did not end');
}

function refusal(run: () => unknown): Record<string, string[]> {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidRequest) return error.fields;
    throw error;
  }
  throw new Error('not refused');
}

describe('keyset listing', () => {
  it('offers each sort both ways', () => {
    expect(sortParams(LISTING)).toEqual(['name', '-name', 'at', '-at']);
  });

  it.each([1, 2, 3, 5, 50])('walks every item once in each order, %i per page', (limit) => {
    expect(walk({ limit })).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(walk({ limit, sort: '-name' })).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    expect(walk({ limit, sort: 'at' })).toEqual(['delta', 'alpha', 'echo', 'charlie', 'bravo']);
    expect(walk({ limit, sort: '-at' })).toEqual(['bravo', 'charlie', 'echo', 'alpha', 'delta']);
  });

  it('says there is no next page when the last page is exactly full', () => {
    const page = pageInMemory(LISTING, { limit: 5 }, ITEMS);
    expect(page.items).toHaveLength(5);
    expect(page.nextCursor).toBeNull();
  });

  it('filters the range: from inclusive, to exclusive', () => {
    expect(
      walk({ limit: 2, sort: 'at', from: '2026-01-02T00:00:00Z', to: '2026-01-04T00:00:00Z' }),
    ).toEqual(['alpha', 'echo']);
  });

  it('refuses a cursor made for another sort, a forged one, and an unknown sort, naming the field', () => {
    const byName = pageInMemory(LISTING, { limit: 1 }, ITEMS).nextCursor as string;
    expect(refusal(() => pageInMemory(LISTING, { sort: 'at', after: byName }, ITEMS))).toEqual({
      after: ['after was made for sort=name; ask again from the first page'],
    });
    for (const forged of [
      'not-a-cursor',
      encodeCursor('at', ['yesterday', uuid(1)]),
      encodeCursor('at', ['2026-01-01T00:00:00Z', 'not-a-uuid']),
      encodeCursor('name', []),
      Buffer.from('{"sort":"name"}').toString('base64url'),
    ]) {
      expect(
        Object.keys(refusal(() => pageInMemory(LISTING, { sort: 'at', after: forged }, ITEMS))),
      ).toEqual(['after']);
    }
    expect(refusal(() => pageInMemory(LISTING, { sort: 'colour' }, ITEMS))).toEqual({
      sort: ['sort must be one of name, -name, at, -at'],
    });
    expect(
      refusal(() =>
        pageInMemory(
          LISTING,
          { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00+10:00' },
          ITEMS,
        ),
      ),
    ).toEqual({ to: ['to must not be before from'] });
  });

  it('builds SQL that seeks past the cursor in the sort’s direction with bound values', async () => {
    const statements: { sql: string; parameters: unknown[] }[] = [];
    const run = (after?: string) =>
      pageSql<(typeof ITEMS)[number]>(
        LISTING,
        { sort: '-at', limit: 2, after, from: '2026-01-01T00:00:00Z' },
        (sql, parameters) => {
          statements.push({ sql, parameters });
          return Promise.resolve(ITEMS.slice(0, 3));
        },
        (_bind, page) =>
          `SELECT * FROM t ${page.where.length ? `WHERE ${page.where.join(' AND ')}` : ''} ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      );
    const first = await run();
    expect(first.items).toHaveLength(2);
    await run(first.nextCursor as string);
    expect(statements[1]).toEqual({
      sql: 'SELECT * FROM t WHERE at >= CAST($1 AS timestamptz) AND (at, id) < (CAST($2 AS timestamptz), CAST($3 AS uuid)) ORDER BY at DESC, id DESC LIMIT $4',
      parameters: ['2026-01-01T00:00:00Z', ITEMS[1].at.toISOString(), ITEMS[1].id, 3],
    });
  });
});
