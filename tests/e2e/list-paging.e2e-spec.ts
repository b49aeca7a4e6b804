import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';

interface Parameter {
  name: string;
  in: string;
  schema?: { enum?: string[]; maximum?: number };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Schema {
  $ref?: string;
  oneOf?: Schema[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
type Item = Record<string, unknown>;

/** The 200 body schemas of an operation (each branch of a oneOf or anyOf), references resolved. */
function bodies(document: OpenApi, operation: Operation): Schema[] {
  const resolve = (schema: Schema): Schema[] =>
    (schema.oneOf ?? schema.anyOf)
      ? (schema.oneOf ?? schema.anyOf ?? []).flatMap(resolve)
      : schema.$ref
        ? resolve(document.components.schemas[schema.$ref.split('/').pop() as string])
        : [schema];
  const schema = operation.responses['200']?.content?.['application/json']?.schema;
  return schema ? resolve(schema) : [];
}

/** Ledger-wide lists walk the ledger's own order (global position, stream revision): no sort. */
const LEDGER_ORDER = ['/api/v1/ledger/events', '/api/v1/ledger/streams'];

/** Where a list's path has a parameter, the seeded resource to list under. */
const UNDER: Record<string, string> = { '{id}': 'scorer-a.staging' };

describe('every list endpoint pages, sorts and filters by date the same way', () => {
  let test: TestApp;
  let document: OpenApi;
  let lists: { path: string; operation: Operation }[];
  let officer: string;
  let position: string;

  beforeAll(async () => {
    test = await startTestApp();
    await seedSampleHistory(test, '-a');
    ({ position } = await seedSampleHistory(test, '-b'));
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    // Two regulator reads, so the access log has more than one entry to page through.
    const regulator = `Bearer ${await test.token('rosa-regulator', ['regulator'])}`;
    for (const url of ['/api/v1/models', '/api/v1/datasets']) {
      await test.anonymous().get(url).set('Authorization', regulator).expect(200);
    }
    const [logged] = await test.eventLog.readStream('access-log-rosa-regulator', {
      direction: 'backwards',
      maxCount: 1,
    });
    position = logged.position;
    document = (await test.http().get('/api/docs-json').expect(200)).body as OpenApi;
    lists = Object.entries(document.paths).flatMap(([path, operations]) =>
      operations.get && bodies(document, operations.get).some((s) => s.properties?.items)
        ? [{ path, operation: operations.get }]
        : [],
    );
  });
  afterAll(() => test.close());

  const get = async (url: string, status = 200) => {
    const response = await test
      .anonymous()
      .get(url)
      .set('Authorization', officer)
      .set('X-Ledger-Position', position);
    expect({
      url,
      status: response.status,
      body: status === 200 ? undefined : response.body,
    }).toMatchObject({ url, status });
    return response.body as { items: Item[]; nextCursor: string | null; errors?: object };
  };

  it('finds the lists in the API description', () => {
    expect(lists.map((l) => l.path)).toEqual(
      expect.arrayContaining([
        '/api/v1/datasets',
        '/api/v1/training-runs',
        '/api/v1/models',
        '/api/v1/approvals',
        '/api/v1/deployments',
        '/api/v1/deployments/{id}/prediction-batches',
        '/api/v1/deployments/{id}/ground-truth',
        '/api/v1/alerts',
        '/api/v1/privacy/deletion-requests',
        '/api/v1/privacy/personal-data',
        '/api/v1/compliance/access-log',
      ]),
    );
  });

  it('documents after, limit and sort on every list, and nextCursor on every page', () => {
    for (const { path, operation } of lists) {
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const wanted = LEDGER_ORDER.includes(path) ? ['after', 'limit'] : ['after', 'limit', 'sort'];
      expect({ path, query }).toEqual({ path, query: expect.arrayContaining(wanted) });
      for (const body of bodies(document, operation)) {
        expect({ path, nextCursor: Boolean(body.properties?.nextCursor) }).toEqual({
          path,
          nextCursor: true,
        });
      }
    }
  });

  it('walks each list one item a page, in every sort, to exactly the items of one big page', async () => {
    let walked = 0;
    let checked = 0;
    for (const { path, operation } of lists.filter((l) => !LEDGER_ORDER.includes(l.path))) {
      const url = path.replace(/\{id\}/g, UNDER['{id}']);
      const sorts = operation.parameters?.find((p) => p.name === 'sort')?.schema?.enum ?? [];
      const max = operation.parameters?.find((p) => p.name === 'limit')?.schema?.maximum ?? 100;
      expect({ path, sorted: sorts.length > 0 }).toEqual({ path, sorted: true });
      for (const sort of sorts) {
        const all = (await get(`${url}?sort=${sort}&limit=${max}`)).items;
        expect({ url, sort, items: all.length > 1 }).toEqual({ url, sort, items: true });
        const seen: Item[] = [];
        let after: string | null = null;
        do {
          const query: string = after === null ? '' : `&after=${after}`;
          const page = await get(`${url}?sort=${sort}&limit=1${query}`);
          expect(page.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.items);
          after = page.nextCursor;
        } while (after !== null && seen.length <= all.length);
        expect({ url, sort, seen }).toEqual({ url, sort, seen: all });
        walked++;
        // Where the items carry the sort's field, the page is in its order.
        const field = sort.replace(/^-/, '');
        if (all.every((item) => typeof item[field] === 'string')) {
          const values = all.map((item) => String(item[field]));
          const ordered = [...values].sort((a, b) =>
            Date.parse(a) && Date.parse(b)
              ? Date.parse(a) - Date.parse(b)
              : a < b
                ? -1
                : a > b
                  ? 1
                  : 0,
          );
          if (sort.startsWith('-')) ordered.reverse();
          expect({ url, sort, values }).toEqual({ url, sort, values: ordered });
          checked++;
        }
      }
    }
    expect(walked).toBeGreaterThanOrEqual(15);
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('refuses an unknown sort, a cursor from another sort and a forged one, naming the field', async () => {
    for (const { path, operation } of lists.filter((l) => !LEDGER_ORDER.includes(l.path))) {
      const url = path.replace(/\{id\}/g, UNDER['{id}']);
      const [first, second] = operation.parameters?.find((p) => p.name === 'sort')?.schema
        ?.enum as string[];
      expect((await get(`${url}?sort=shoe-size`, 400)).errors).toEqual({
        sort: [expect.stringContaining('sort must be one of')],
      });
      const { nextCursor } = await get(`${url}?sort=${first}&limit=1`);
      expect((await get(`${url}?sort=${second}&after=${nextCursor}`, 400)).errors).toEqual({
        after: [`after was made for sort=${first}; ask again from the first page`],
      });
      expect(Object.keys((await get(`${url}?after=bm90LWEtY3Vyc29y`, 400)).errors ?? {})).toEqual([
        'after',
      ]);
    }
  });

  it('filters by date range where the list has one: from inclusive, to exclusive', async () => {
    let ranged = 0;
    for (const { path, operation } of lists.filter((l) => !LEDGER_ORDER.includes(l.path))) {
      const from = operation.parameters?.find((p) => p.name === 'from');
      if (!from) continue;
      ranged++;
      const url = path.replace(/\{id\}/g, UNDER['{id}']);
      const all = (await get(url)).items;
      const future =
        (from.schema as { format?: string }).format === 'date'
          ? '2999-01-01'
          : '2999-01-01T00:00:00Z';
      const past = future.replace('2999', '2000');
      expect({ url, items: (await get(`${url}?from=${future}`)).items }).toEqual({
        url,
        items: [],
      });
      expect({ url, items: (await get(`${url}?to=${past}`)).items }).toEqual({ url, items: [] });
      expect({ url, items: (await get(`${url}?from=${past}&to=${future}`)).items }).toEqual({
        url,
        items: all,
      });
      expect((await get(`${url}?from=${future}&to=${past}`, 400)).errors).toEqual({
        to: ['to must not be before from'],
      });
      expect(Object.keys((await get(`${url}?from=last-tuesday`, 400)).errors ?? {})).toEqual([
        'from',
      ]);
    }
    expect(ranged).toBeGreaterThanOrEqual(10);
  });
});
