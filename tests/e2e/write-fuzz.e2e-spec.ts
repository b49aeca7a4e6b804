import { MAX_JSON_DEPTH } from '../../src/ledger/http/json-body';
import { TestApp, startTestApp } from '../support/test-app';
import { defaultStoreKind } from '../support/test-database';
import {
  Json,
  WriteRoute,
  eventCounter,
  seededWriteRoutes,
  unhealthyProjections,
  urlOf,
} from '../support/write-routes';

/** Placeholders replaced in the JSON text: what JSON.stringify cannot or should not build. */
const DEEP_ARRAY = '\u0001deep-array\u0001';
const DEEP_OBJECT = '\u0001deep-object\u0001';
const PROTO_KEY = '\u0001proto\u0001';
const DEPTH = 2_500;
const CONCURRENCY = 8;
const FIELD_STRIDE = defaultStoreKind() === 'embedded' ? 2 : 1;
const NESTED = new Set([
  'missing',
  'null',
  '"text"',
  '[]',
  '{}',
  'deep array',
  '1e308',
  '-1',
  '1.5',
  'string ""',
  'string "\\u0000"',
  'with __proto__ key',
  'with constructor key',
  'string "9999-12-31T2"',
  'string "0001-01-01T0"',
]);

const WRONG_TYPES: Json[] = [null, 'text', 12, true, [], {}, [null]];
const EXTREME_NUMBERS: number[] = [
  1e308,
  -1e308,
  2 ** 63,
  2 ** 64,
  -0,
  1.5,
  -1,
  Number.MAX_SAFE_INTEGER + 2,
];
const HOSTILE_STRINGS: string[] = [
  '',
  'x'.repeat(70_000),
  '\u0000',
  '\ud800',
  '__proto__',
  'constructor',
  'toString',
  '../../etc',
  // Valid instants whose UTC form leaves the years a timestamptz column can hold.
  '9999-12-31T23:59:59-14:00',
  '0001-01-01T00:00:00+14:00',
];
const HOSTILE_PARAMS: string[] = [
  'constructor',
  'toString',
  'hasOwnProperty',
  '__proto__',
  '..',
  '%2e%2e',
  '%00',
  '%ud800',
  '%E0%A4%A',
  'x'.repeat(300),
];

interface Case {
  route: WriteRoute;
  label: string;
  url: string;
  /** The JSON text sent (placeholders replaced), or undefined for no body. */
  text?: string;
  contentType?: string;
}

function serialise(body: unknown): string {
  return JSON.stringify(body)
    .replaceAll(`"${DEEP_ARRAY}"`, '['.repeat(DEPTH) + ']'.repeat(DEPTH))
    .replaceAll(`"${DEEP_OBJECT}"`, '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH))
    .replaceAll(`"${PROTO_KEY}"`, '"__proto__"');
}

/** Every value path in a body, objects and the first element of each array walked into. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.length > 0 ? [...paths(value[0], [...prefix, 0])] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    [...prefix, key],
    ...paths(inner, [...prefix, key]),
  ]);
}

function withValue(body: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(body) as Record<string | number, Json>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else {
    at[last] = value;
  }
  return copy;
}

function valueAt(body: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key], body);
}

/** The mutations of one field: wrong types, missing, null, extreme numbers, hostile text, depth. */
function fieldMutations(original: Json): { label: string; value: Json | undefined }[] {
  const mutations: { label: string; value: Json | undefined }[] = [
    { label: 'missing', value: undefined },
    ...WRONG_TYPES.map((value) => ({ label: JSON.stringify(value), value })),
    { label: 'deep array', value: DEEP_ARRAY },
    { label: 'deep object', value: DEEP_OBJECT },
  ];
  if (typeof original === 'number' || original === null) {
    mutations.push(...EXTREME_NUMBERS.map((value) => ({ label: String(value), value })));
    mutations.push({ label: 'number as text', value: String(original) });
  } else {
    mutations.push({ label: '1e308', value: 1e308 }, { label: '-0', value: -0 });
  }
  if (typeof original === 'string' || typeof original === 'number') {
    mutations.push(
      ...HOSTILE_STRINGS.map((value) => ({
        label: `string ${JSON.stringify(value.slice(0, 12))}`,
        value,
      })),
    );
  }
  if (original !== null && typeof original === 'object' && !Array.isArray(original)) {
    mutations.push(
      { label: 'with __proto__ key', value: { ...original, [PROTO_KEY]: { polluted: true } } },
      {
        label: 'with constructor key',
        value: { ...original, constructor: { prototype: { polluted: true } } },
      },
      { label: 'with prototype key', value: { ...original, prototype: 1 } },
      { label: 'with constructor text', value: { ...original, constructor: 'x' } },
    );
  }
  if (Array.isArray(original)) {
    mutations.push(
      { label: 'array of 5000', value: Array.from({ length: 5000 }, () => original[0] ?? 'x') },
      { label: 'array of hostile text', value: HOSTILE_STRINGS },
    );
  }
  return mutations;
}

function casesOf(route: WriteRoute): Case[] {
  const url = urlOf(route);
  const cases: Case[] = [];
  const body = route.body;
  paths(body).forEach((path, pathIndex) => {
    const mutations = fieldMutations(valueAt(body, path));
    // Top-level fields get every mutation; nested ones the shapes that broke nested objects. The
    // embedded store serves one session, so there each field takes every other mutation,
    // alternating between fields so that every kind is still sent.
    const chosen = (
      path.length === 1 ? mutations : mutations.filter(({ label }) => NESTED.has(label))
    ).filter((_, index) => (index + pathIndex) % FIELD_STRIDE === 0);
    for (const { label, value } of chosen) {
      cases.push({
        route,
        label: `${path.join('.')}: ${label}`,
        url,
        text: serialise(withValue(body, path, value)),
      });
    }
  });
  // Fields the document knows but the valid body leaves out: present with wrong values.
  for (const name of Object.keys(route.schema?.properties ?? {})) {
    if (body && typeof body === 'object' && !Array.isArray(body) && name in body) continue;
    for (const value of [null, 'text', 1e308, [], {}, DEEP_ARRAY] as Json[]) {
      cases.push({
        route,
        label: `${name} (absent): ${JSON.stringify(value)}`,
        url,
        text: serialise({ ...(body as object), [name]: value }),
      });
    }
  }
  const whole: [string, string | undefined, string?][] = [
    ['no body', undefined],
    ['null body', 'null'],
    ['array body', '[]'],
    ['array of the body', serialise([body])],
    ['text body', '"text"'],
    ['number body', '12'],
    ['empty object', '{}'],
    ['deep array body', serialise(DEEP_ARRAY)],
    ['deep object body', serialise(DEEP_OBJECT)],
    ['depth just past the limit', '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)],
    ['__proto__ key', serialise({ ...(body as object), [PROTO_KEY]: { polluted: true } })],
    [
      'constructor.prototype key',
      serialise({ ...(body as object), constructor: { prototype: { polluted: true } } }),
    ],
    ['prototype key', serialise({ ...(body as object), prototype: {} })],
    ['unknown field', serialise({ ...(body as object), unexpected: 1 })],
    ['malformed JSON', '{"a":'],
    ['lone surrogate escape in a key', `{"\\ud800":1}`],
    ['NUL escape in a key', `{"\\u0000":1}`],
    ['form body', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    ['text/plain body', serialise(body), 'text/plain'],
  ];
  for (const [label, text, contentType] of whole)
    cases.push({ route, label, url, text, contentType });
  for (const name of Object.keys(route.params)) {
    for (const hostile of HOSTILE_PARAMS) {
      const raw = /%/.test(hostile);
      const params = { ...route.params, [name]: hostile };
      const url = raw
        ? urlOf(
            route,
            Object.fromEntries(
              Object.entries(params).map(([k, v]) => [k, k === name ? v : encodeURIComponent(v)]),
            ),
            true,
          )
        : urlOf(route, params);
      cases.push({
        route,
        label: `path ${name}=${hostile.slice(0, 20)}`,
        url,
        text: serialise(body),
      });
    }
  }
  return cases;
}

/**
 * Hostile requests to every write route of the OpenAPI document (a new route is fuzzed without a
 * change here, once it has a valid request in tests/support/write-routes.ts): no answer is a 5xx,
 * no refused request appends an event, and every projection applies whatever was accepted.
 */
describe('every write route refuses hostile input with a 4xx and appends nothing', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp();
  });

  afterAll(async () => {
    await test.close();
  });

  it('answers thousands of mutated requests without a 5xx, leaving the read models healthy', async () => {
    const started = Date.now();
    const { targets, routes } = await seededWriteRoutes(test);
    expect(routes.length).toBeGreaterThanOrEqual(29);
    const counter = await eventCounter(test);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let position = targets.position;
    const cases = routes.flatMap(casesOf);
    const seen = new Set<string>();
    const send = (fuzz: Case) => {
      let call = test.anonymous()[fuzz.route.method](fuzz.url).set('Authorization', targets.bearer);
      if (fuzz.text !== undefined) {
        call = call.set('Content-Type', fuzz.contentType ?? 'application/json').send(fuzz.text);
      }
      return call;
    };
    try {
      let events = await counter.count();
      // A few requests at a time; the ledger must grow by exactly the events the accepted ones
      // report, so a refused request that appended anything is caught in its batch.
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        const batch = cases.slice(i, i + CONCURRENCY);
        const responses = await Promise.all(batch.map(send));
        const after = await counter.count();
        // Events the accepted requests report for the first time (identical requests racing in
        // a batch, and a checkpoint answered again, report an event recorded earlier).
        const reported = new Set<string>();
        let attributable = true;
        responses.forEach((response, index) => {
          const { route, label } = batch[index];
          const where = `${route.method.toUpperCase()} ${route.template} [${label}]`;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500) {
            failures.push(
              `${where}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
            );
          } else if (response.status >= 400) {
            if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
              failures.push(`${where}: ${response.status} without problem+json`);
            }
          } else if (Array.isArray(response.body?.eventIds)) {
            for (const id of response.body.eventIds as string[]) {
              if (!seen.has(id)) reported.add(id);
            }
            if (response.body.ledgerPosition) position = response.body.ledgerPosition;
          } else {
            attributable = false;
          }
        });
        if (attributable && after - events !== reported.size) {
          const refused = batch.filter((_, index) => responses[index].status >= 400);
          const accepted = batch
            .map((fuzz, index) => ({ fuzz, response: responses[index] }))
            .filter(({ response }) => response.status < 300)
            .map(
              ({ fuzz, response }) =>
                `${fuzz.route.template} [${fuzz.label}] ${JSON.stringify(response.body.eventIds)}`,
            );
          failures.push(
            `the ledger grew by ${after - events} event(s), accepted requests report ${reported.size}; refused: ${refused.map((c) => `${c.route.template} [${c.label}]`).join('; ')}; accepted: ${accepted.join('; ')}`,
          );
        }
        for (const id of reported) seen.add(id);
        events = after;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `write fuzz: ${cases.length} cases on ${routes.length} routes in ${seconds} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(cases.length).toBeGreaterThanOrEqual(2000);
      // One assertion, so a failing run shows every 5xx, every stray append and every projection.
      expect({
        failures,
        projections: await unhealthyProjections(test, position),
        faults: await counter.faults(),
      }).toEqual({ failures: [], projections: { readStatus: 200, unhealthy: [] }, faults: [] });
    } finally {
      await counter.close();
    }
  }, 300_000);
});
