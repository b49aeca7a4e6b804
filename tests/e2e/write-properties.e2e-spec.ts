import fc from 'fast-check';
import { TestApp, startTestApp } from '../support/test-app';
import { defaultStoreKind } from '../support/test-database';
import {
  Json,
  Schema,
  WriteRoute,
  eventCounter,
  seededWriteRoutes,
  unhealthyProjections,
  urlOf,
} from '../support/write-routes';

/** The embedded store serves one session: fewer runs keep it to tens of seconds there too. */
const RUNS_PER_ROUTE = defaultStoreKind() === 'embedded' ? 20 : 40;

/**
 * Values a field may take by its OpenAPI schema (type, bounds, lengths, enum), around the valid
 * value `base`: shaped fields (ids, versions, digests, whose patterns the document does not
 * carry) keep their valid value half the time, so most generated bodies are still accepted.
 */
function valueFor(schema: Schema | undefined, base: Json, required: boolean): fc.Arbitrary<Json> {
  const keep = fc.constant(base);
  if (base === null) return keep;
  if (schema?.enum) return fc.constantFrom(...(schema.enum as Json[]));
  if (Array.isArray(base)) {
    if (base.length === 0) return keep;
    const element = valueFor(schema?.items, base[0], true);
    const minLength = Math.max(schema?.minItems ?? 0, required ? 0 : 0);
    return fc.oneof(
      keep,
      fc.array(element, { minLength, maxLength: Math.min(schema?.maxItems ?? 4, 4) }),
    );
  }
  switch (typeof base) {
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.oneof(
        { arbitrary: keep, weight: 2 },
        { arbitrary: numberFor(schema, base), weight: 1 },
      );
    case 'string':
      return fc.oneof(
        { arbitrary: keep, weight: 6 },
        {
          arbitrary: fc.string({
            minLength: schema?.minLength ?? 0,
            maxLength: Math.min(schema?.maxLength ?? 64, 300),
            unit: 'binary',
          }),
          weight: 1,
        },
      );
    default:
      return objectFor(schema, base);
  }
}

function numberFor(schema: Schema | undefined, base: number): fc.Arbitrary<Json> {
  const integer =
    schema?.type === 'integer' || (schema?.type !== 'number' && Number.isInteger(base));
  const min = schema?.minimum;
  const max = schema?.maximum;
  if (integer) {
    const low = Math.max(min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    const high = Math.min(max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return fc.oneof(
      fc.constantFrom(low, high, base),
      fc.integer({ min: low, max: high }),
      // An integer the document does not bound: what a bigint column can never hold.
      ...(max === undefined ? [fc.constantFrom(2 ** 63, 2 ** 64, 1e308)] : []),
    );
  }
  const low = min ?? -Number.MAX_VALUE;
  const high = max ?? Number.MAX_VALUE;
  return fc.oneof(
    fc.constantFrom(low, high, base, 0),
    fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true }),
  );
}

function objectFor(schema: Schema | undefined, base: { [key: string]: Json }): fc.Arbitrary<Json> {
  const properties = schema?.properties;
  if (properties && Object.keys(properties).length > 0) {
    const required = new Set(schema?.required ?? []);
    const fields: Record<string, fc.Arbitrary<Json>> = {};
    for (const [key, value] of Object.entries(base)) {
      fields[key] = valueFor(properties[key], value, required.has(key));
    }
    return fc.record(fields, {
      requiredKeys: Object.keys(base).filter((key) => required.has(key)),
    });
  }
  // A map with no declared fields (metrics, categories, hyperparameters): its values by example.
  const values = Object.values(base);
  const counts = values.length > 0 && values.every((value) => Number.isInteger(value));
  const measure = values.length > 0 && values.every((value) => typeof value === 'number');
  const entry: fc.Arbitrary<Json> =
    typeof schema?.additionalProperties === 'object'
      ? numberFor(schema.additionalProperties, counts ? 1 : 0.5)
      : counts
        ? numberFor({ type: 'integer' }, 1)
        : measure
          ? numberFor({ type: 'number' }, 0.5)
          : (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>);
  return fc.oneof(
    { arbitrary: fc.constant(base), weight: 2 },
    fc.dictionary(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), entry, {
      minKeys: 1,
      maxKeys: 5,
    }),
  );
}

/**
 * Property: whatever a write route accepts, every projection applies. Bodies are generated per
 * route from its request schema around a valid request (tests/support/write-routes.ts); the
 * refused ones must be refused with a 4xx, and after all of them every read model has caught up
 * with the ledger without a failure or a recorded fault.
 */
describe('what the API accepts, every projection applies', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp();
  });

  afterAll(async () => {
    await test.close();
  });

  it('accepts generated bodies on every write route only when its read models can hold them', async () => {
    const { targets, routes } = await seededWriteRoutes(test);
    let position = targets.position;
    const outcomes = new Map<string, { accepted: number; refused: number }>();
    const send = async (route: WriteRoute, body: Json) => {
      const client = test.anonymous();
      const response = await client[route.method](urlOf(route))
        .set('Authorization', targets.bearer)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
      const outcome = outcomes.get(route.template) ?? { accepted: 0, refused: 0 };
      if (response.status < 300) {
        outcome.accepted++;
        if (response.body?.ledgerPosition) position = response.body.ledgerPosition;
      } else {
        outcome.refused++;
      }
      outcomes.set(route.template, outcome);
      return response;
    };
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(valueFor(route.schema, route.body, true), async (body) => {
          const response = await send(route, body);
          expect({ status: response.status < 500, body: response.body }).toMatchObject({
            status: true,
          });
        }),
        { numRuns: RUNS_PER_ROUTE, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
      );
    }
    const counter = await eventCounter(test);
    try {
      expect(await unhealthyProjections(test, position)).toEqual({
        readStatus: 200,
        unhealthy: [],
      });
      expect(await counter.faults()).toEqual([]);
    } finally {
      await counter.close();
    }
    // The property says something only if bodies were accepted on (nearly) every route.
    const accepted = [...outcomes.values()].reduce((sum, outcome) => sum + outcome.accepted, 0);
    console.log(
      `write properties: ${accepted} accepted of ${routes.length * RUNS_PER_ROUTE}`,
      Object.fromEntries(outcomes),
    );
    expect(accepted).toBeGreaterThan(routes.length * 5);
  }, 240_000);
});
