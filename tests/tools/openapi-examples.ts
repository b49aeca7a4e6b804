/**
 * `npm run openapi:examples`: rebuilds the response examples of the API description from a real
 * run. It starts the service on a scratch database, records the sample history through the API
 * (datasets, a training run, a model version, an approval request, a deployment, prediction
 * batches, ground truth, an alert, a deletion request, a decision receipt, a batch scoring job),
 * asks every read route as a compliance officer (webhooks as an admin, the Open Inference
 * Protocol's reads as a pipeline), and writes each 200 answer, arrays cut to two items, to
 * src/openapi/response-examples.json. The service serves them as the examples of its OpenAPI
 * document; a test checks each still matches its schema, so a view that changes shape without
 * its examples fails. Run it after changing a view.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SAMPLE_ARTIFACT_DIGEST,
  sampleReadPaths,
  seedSampleHistory,
} from '../support/sample-history';
import { recordServiceRun } from '../support/service-evaluations';
import { startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const TARGET = join(__dirname, '..', '..', '..', 'src', 'openapi', 'response-examples.json');
/** Not JSON, or not part of the API. */
const SKIPPED = new Set(['/metrics']);
/** Routes that answer JSON only when asked for it (a PDF otherwise). */
const AS_JSON: Record<string, string> = {
  '/models/:name/versions/:version/audit-pack': '?format=json',
};

function shorten(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 2).map(shorten);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  }
  return value;
}

async function main(): Promise<void> {
  const clock = new TestClock('2026-11-02T09:00:00.000Z');
  const test = await startTestApp({ clock: clock.clock });
  try {
    const ids = await seedSampleHistory(test);
    clock.advanceDays(1);
    const paths = sampleReadPaths(ids);
    const officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    // Webhooks are an admin's (README, "Webhooks"): one subscription, and one event queued for it
    // (nothing listens at its address, so its log shows refused attempts).
    const admin = `Bearer ${await test.token('ada', ['admin'])}`;
    const webhook = await test
      .anonymous()
      .post('/api/v1/webhooks')
      .set('Authorization', admin)
      .send({
        url: 'http://127.0.0.1:9/attest-hooks',
        eventTypes: ['RetrainingTriggered'],
        description: 'retraining pipeline',
      })
      .expect(201);
    await test
      .anonymous()
      .post('/api/v1/models/scorer/retraining-triggers')
      .set('Authorization', `Bearer ${await test.token('rick', ['risk-manager'])}`)
      .send({ note: 'the bureau changed its score bands' })
      .expect(201);
    // The Open Inference Protocol's reads describe what a deployment serves (README, "Serving"):
    // the sample version's [N, 4] input needs its columns named by a passing evaluation by Attest.
    const evaluated = await recordServiceRun(test.eventLog, {
      model: 'scorer',
      version: '1.0.0',
      environment: 'staging',
      artifactDigest: SAMPLE_ARTIFACT_DIGEST,
      // The sample's registered dataset version (the audit pack reads the holdout back).
      datasetVersion: { name: 'loans', version: 'v1', contentHash: `sha256:${'a'.repeat(64)}` },
      evaluatedAt: clock.clock().toISOString(),
    });
    // Appended after the trigger was answered: the newest position, which every read reflects.
    const latest = evaluated.appended.position;
    await test.runner.waitFor(latest, 10_000);
    paths['/webhooks/:id/deliveries'] = `/webhooks/${webhook.body.id as string}/deliveries`;
    paths['/v2/models/:model'] = '/v2/models/scorer.staging';
    paths['/v2/models/:model/ready'] = '/v2/models/scorer.staging/ready';
    const pipeline = `Bearer ${await test.token('ci', ['pipeline'])}`;
    const reader = (route: string) =>
      route.startsWith('/webhooks') ? admin : route.startsWith('/v2/') ? pipeline : officer;
    const document = (await test.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<
        string,
        { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }
      >;
    };
    const examples: Record<string, unknown> = {};
    for (const template of Object.keys(document.paths).sort()) {
      // Only JSON answers get an example (a PDF's is its description).
      if (!document.paths[template].get?.responses['200']?.content?.['application/json']) continue;
      const route = template.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1');
      if (SKIPPED.has(route)) continue;
      const path = paths[route] ?? (route.includes(':') ? undefined : route);
      if (path === undefined) throw new Error(`no sample URL for GET ${template}`);
      const response = await test
        .anonymous()
        .get(`${template.startsWith('/api/v1/') ? `/api/v1${path}` : path}${AS_JSON[route] ?? ''}`)
        .set('Authorization', reader(route))
        .set('X-Ledger-Position', latest);
      if (response.status !== 200) {
        throw new Error(`GET ${path}: ${response.status} ${response.text}`);
      }
      examples[template] = shorten(response.body);
      console.log(`GET ${path}`);
    }
    writeFileSync(TARGET, `${JSON.stringify(examples, null, 2)}\n`);
    console.log(`wrote ${Object.keys(examples).length} examples to ${TARGET}`);
  } finally {
    await test.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
