import { type Locator, type Page } from 'playwright-core';
import type { Role } from '../../src/auth/roles';
import {
  ConsoleHarness,
  TABLET,
  accessibilityViolations,
  overflowsSideways,
  screenshot,
  signIn,
  startConsole,
  writeControls,
} from '../support/console-browser';
import { BreachResponder, MONITOR } from '../../src/monitoring/breach-responder';
import { deploymentSeeds } from '../support/deployment-seeds';
import { TestClock } from '../support/test-clock';

/**
 * The console's deployment pages (README, "Console"): every deployment, one deployment over a
 * period with its charts, history and alerts, the API's writes, and time travel.
 */
describe('console deployments', () => {
  const time = new TestClock('2026-11-20T09:00:00.000Z');
  const MODEL = 'credit-risk';
  const STAGING = `${MODEL}.staging`;
  const UAT = `${MODEL}.uat`;
  let harness: ConsoleHarness;
  let page: Page;
  let driftAlertId: string;
  let operationalAlertId: string;

  const bearer = async (sub: string, roles: Role[]) =>
    `Bearer ${await harness.test.token(sub, roles)}`;

  /** A write through the API; waits until the read side has it. */
  async function post(token: string, path: string, body: object): Promise<{ id: string }> {
    const response = await harness.test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', token)
      .send(body);
    if (response.status !== 201)
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    await harness.test.runner.waitFor(response.body.ledgerPosition, 10_000);
    return response.body as { id: string };
  }

  const deploy = async (environment: string, version: string, canaryPercent?: number) =>
    post(await bearer('rick', ['risk-manager']), '/deployments', {
      model: MODEL,
      version,
      environment,
      strategy: canaryPercent ? 'canary' : 'full',
      ...(canaryPercent ? { canaryPercent } : {}),
    });

  const batch = async (count: number, from: string, to: string) =>
    post(await bearer('ci', ['pipeline']), `/deployments/${STAGING}/prediction-batches`, {
      version: '1.0.0',
      count,
      window: { from, to },
      inputDigest: `sha256:${'c'.repeat(64)}`,
      outputDistribution: { approve: count - 20, refer: 20 },
      featureSummaries: [],
      latencyMs: { p50: 4, p95: 11, p99: 27 },
      decisions: { automated: count - 20, referred: 20 },
    });

  const serving = async (deploymentId: string) =>
    (await harness.test.http().get(`/api/v1/deployments/${deploymentId}`)).body.deployment as {
      version: string | null;
      canaryVersion: string | null;
    };

  /** A locator's text with its white space collapsed, as a person reads it. */
  const text = async (locator: Locator) =>
    ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const cells = async (row: Locator) =>
    (await row.locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

  /** The figures table of the chart titled `title` (the one in its <details>). */
  const figures = (title: string) =>
    page
      .locator('figure.chart', { has: page.locator('figcaption', { hasText: title }) })
      .locator('details table');

  beforeAll(async () => {
    harness = await startConsole({ clock: time.clock });
    const seeds = deploymentSeeds(harness.test.eventLog);
    for (const version of ['1.0.0', '1.1.0', '1.2.0'])
      await seeds.registerModelVersion(MODEL, version);
    await deploy('staging', '1.0.0');
    await batch(777, '2026-09-01T10:00:00.000Z', '2026-09-01T11:00:00.000Z');
    await batch(120, '2026-11-18T10:00:00.000Z', '2026-11-18T11:00:00.000Z');
    const truthBatch = await batch(340, '2026-11-19T10:00:00.000Z', '2026-11-19T11:00:00.000Z');
    await batch(560, '2026-11-20T08:00:00.000Z', '2026-11-20T09:00:00.000Z');
    const ci = await bearer('ci', ['pipeline']);
    await post(ci, `/deployments/${STAGING}/ground-truth`, {
      version: '1.0.0',
      batchIds: [truthBatch.id],
      window: { from: '2026-11-19T10:00:00.000Z', to: '2026-11-19T11:00:00.000Z' },
      count: 300,
      labelsDigest: `sha256:${'d'.repeat(64)}`,
      metrics: { auc: 0.81, accuracy: 0.77 },
    });
    const drift = await harness.test
      .anonymous()
      .post('/api/v1/monitoring/drift')
      .set('Authorization', ci)
      .send({
        deploymentId: STAGING,
        version: '1.0.0',
        feature: 'income',
        metric: 'psi',
        value: 0.31,
        threshold: 0.25,
        window: { from: '2026-11-19T10:00:00.000Z', to: '2026-11-19T11:00:00.000Z' },
      });
    expect(drift.status).toBe(201);
    await harness.test.runner.waitFor(drift.body.ledgerPosition, 10_000);
    driftAlertId = drift.body.alertId as string;
    operationalAlertId = (
      await post(await bearer('rick', ['risk-manager']), '/alerts', {
        deploymentId: STAGING,
        severity: 'low',
        kind: 'operational',
        summary: 'latency spike in the scoring pool',
      })
    ).id;
    // 1.1.0 replaces 1.0.0 an hour later; the console rolls it back another hour on.
    time.set('2026-11-20T10:00:00.000Z');
    await deploy('staging', '1.1.0');
    // Another environment with a canary to promote.
    await deploy('uat', '1.0.0');
    await deploy('uat', '1.2.0', 10);
    time.set('2026-11-20T11:00:00.000Z');
    page = await harness.newPage();
  });
  afterAll(() => harness.close());

  it('lists every deployment with its stable version, canary, status and open alerts', async () => {
    await signIn(page, 'rick', ['risk-manager']);
    const response = await page.goto('/console/deployments');
    expect(response?.status()).toBe(200);
    const staging = page.locator('tbody tr', { hasText: STAGING });
    const uat = page.locator('tbody tr', { hasText: UAT });
    await expect(cells(staging)).resolves.toEqual(
      expect.arrayContaining([MODEL, 'staging', '1.1.0', 'none', 'active', '2']),
    );
    await expect(cells(uat)).resolves.toEqual(
      expect.arrayContaining(['uat', '1.0.0', '1.2.0 (10 %)', 'active', '0']),
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'deployments');
  });

  it('charts the seeded batches, ground truth, drift and latency over the default 30 days', async () => {
    await page.goto(`/console/deployments/${STAGING}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(STAGING);
    const volume = await figures('Predictions per day').textContent();
    for (const count of ['120', '340', '560']) expect(volume).toContain(count);
    expect(volume).not.toContain('777');
    const outputs = await figures('Outputs over the period').textContent();
    // 120 + 340 + 560 = 1020, of which 3 × 20 referred.
    expect(outputs).toMatch(/approve\s*960/);
    expect(outputs).toMatch(/refer\s*60/);
    const driftTable = await figures('Drift').textContent();
    expect(driftTable).toMatch(/psi of income[\s\S]*0\.31/);
    await expect(
      page.locator('figure.chart', { hasText: 'Drift' }).locator('svg').textContent(),
    ).resolves.toContain('PSI alert 0.25');
    const truth = await figures('Realised performance').textContent();
    expect(truth).toMatch(/auc[\s\S]*0\.81/);
    expect(truth).toMatch(/accuracy[\s\S]*0\.77/);
    const latency = await figures('Latency').textContent();
    expect(latency).toMatch(/p99 \(ms\)[\s\S]*27/);
    await expect(page.locator('[data-field="totals"]').textContent()).resolves.toMatch(
      /1020 in 3 batches/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('changes what is shown with the period: last 24 hours, dates, all; a bad date is 400 naming it', async () => {
    await page.selectOption('#period', '24h');
    await Promise.all([
      page.waitForURL(/period=24h/),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    const lastDay = await figures('Predictions per hour').textContent();
    expect(lastDay).toContain('560');
    expect(lastDay).not.toContain('340');

    await page.selectOption('#period', 'custom');
    await page.fill('#period-from', '2026-11-19');
    await page.fill('#period-to', '2026-11-19');
    await Promise.all([
      page.waitForURL(/from=2026-11-19/),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    const oneDay = await figures('Predictions per hour').textContent();
    expect(oneDay).toContain('340');
    expect(oneDay).not.toContain('560');
    expect(oneDay).not.toContain('120');

    await page.goto(`/console/deployments/${STAGING}?period=all`);
    await expect(figures('Predictions per day').textContent()).resolves.toContain('777');

    const bad = await page.goto(`/console/deployments/${STAGING}?period=custom&from=2026-02-31`);
    expect(bad?.status()).toBe(400);
    await expect(page.locator('main').textContent()).resolves.toContain('from');
  });

  it('lets a risk manager resolve an alert: it leaves the open alerts, and the API says resolved', async () => {
    await page.goto(`/console/deployments/${STAGING}`);
    const row = page.locator(`tr[data-alert="${operationalAlertId}"]`);
    await row.getByLabel('Resolution').fill('pool resized; latency back to normal');
    await Promise.all([
      page.waitForURL(/done=resolved/),
      row.getByRole('button', { name: 'Resolve' }).click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      'The alert is resolved.',
    );
    await expect(page.locator('[data-field="open-alerts"]').textContent()).resolves.toContain(
      '1 open',
    );
    await expect(
      page.locator(`tr[data-alert="${operationalAlertId}"]`).locator('form[data-write]').count(),
    ).resolves.toBe(0);
    await expect(page.locator(`tr[data-alert="${driftAlertId}"] form`).count()).resolves.toBe(1);
    const alert = await harness.test.http().get(`/api/v1/alerts/${operationalAlertId}`);
    expect(alert.body).toMatchObject({
      status: 'resolved',
      resolution: 'pool resized; latency back to normal',
      resolvedBy: 'rick',
    });
  });

  it('promotes a canary through the console; a stale second promotion shows the API refusal', async () => {
    await page.goto(`/console/deployments/${UAT}`);
    const stale = await page.context().newPage();
    await stale.goto(`/console/deployments/${UAT}`);
    await Promise.all([
      page.waitForURL(/done=promoted/),
      page.getByRole('button', { name: 'Promote canary 1.2.0' }).click(),
    ]);
    expect(await serving(UAT)).toMatchObject({ version: '1.2.0', canaryVersion: null });
    await expect(page.locator('[data-field="stable-version"]').textContent()).resolves.toBe(
      '1.2.0',
    );
    const [refused] = await Promise.all([
      stale.waitForResponse((r) => r.request().method() === 'POST'),
      stale.getByRole('button', { name: 'Promote canary 1.2.0' }).click(),
    ]);
    expect(refused.status()).toBe(409);
    await expect(stale.getByRole('alert').textContent()).resolves.toMatch(/canary/);
    await stale.close();
  });

  it('refuses a rollback without a reason, naming the field, then rolls back with one', async () => {
    await page.goto(`/console/deployments/${STAGING}`);
    await page.locator('#rollback-reason').evaluate((input) => input.removeAttribute('required'));
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Roll back' }).click(),
    ]);
    expect(refused.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('reason');
    expect(await serving(STAGING)).toMatchObject({ version: '1.1.0' });

    await page.fill('#rollback-reason', 'approval rate fell in 1.1.0');
    await Promise.all([
      page.waitForURL(/done=rolled-back/),
      page.getByRole('button', { name: 'Roll back' }).click(),
    ]);
    expect(await serving(STAGING)).toMatchObject({ version: '1.0.0' });
    await expect(page.locator('[data-field="stable-version"]').textContent()).resolves.toBe(
      '1.0.0',
    );
    await expect(text(page.locator('#history-heading + div'))).resolves.toContain(
      'Rolled back 1.1.0 to 1.0.0',
    );
    await screenshot(page, 'deployment');
  });

  it('JOURNEY: time travel shows the version that served before the rollback, and now the one after', async () => {
    await page.goto(`/console/deployments/${STAGING}`);
    await page.fill('#asOf', '2026-11-20T10:30:00');
    await Promise.all([
      page.waitForURL(/asOf=2026-11-20T10%3A30/),
      page.locator('form.time-travel').getByRole('button', { name: 'Go' }).click(),
    ]);
    await expect(page.locator('#serving-heading').textContent()).resolves.toContain(
      '2026-11-20 10:30 UTC',
    );
    await expect(page.locator('[data-field="stable-version"]').textContent()).resolves.toBe(
      '1.1.0',
    );
    await expect(page.locator('.serving-version').allTextContents()).resolves.toEqual(['1.1.0']);
    // The rollback came after the instant: not in the history shown, and nothing can be changed.
    await expect(text(page.locator('#history-heading + div'))).resolves.not.toContain(
      'Rolled back',
    );
    await expect(writeControls(page).count()).resolves.toBe(0);
    // Charts stop at the start of the day holding the instant; by the hour over the last day.
    await expect(text(page.locator('[data-field="period"]'))).resolves.toContain(
      'to 2026-11-20 00:00 UTC in day buckets',
    );
    await expect(figures('Predictions per day').textContent()).resolves.not.toContain('560');
    // The operational alert was resolved after the instant: it was open then.
    await expect(page.locator('[data-field="open-alerts"]').textContent()).resolves.toContain(
      '2 open',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'deployment-time-travel');

    await page.selectOption('#period', '24h');
    await Promise.all([
      page.waitForURL(/period=24h/),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get('asOf')).toBe('2026-11-20T10:30:00.000Z');
    await expect(text(page.locator('[data-field="period"]'))).resolves.toContain(
      'to 2026-11-20 10:00 UTC in hour buckets',
    );
    await expect(figures('Predictions per hour').textContent()).resolves.toContain('560');
    await expect(page.locator('[data-field="stable-version"]').textContent()).resolves.toBe(
      '1.1.0',
    );

    await page.fill('#asOf', '');
    await page.locator('form.time-travel').getByRole('button', { name: 'Go' }).click();
    await page.waitForURL((url) => !url.searchParams.get('asOf'));
    await expect(page.locator('[data-field="stable-version"]').textContent()).resolves.toBe(
      '1.0.0',
    );

    await page.goto('/console/deployments?asOf=2026-11-20T10:30:00');
    await expect(cells(page.locator('tbody tr', { hasText: STAGING }))).resolves.toEqual(
      expect.arrayContaining(['1.1.0', '2']),
    );
  });

  it('shows an automatic rollback with the alert that caused it', async () => {
    // As the drift monitor does on a breach when the policy says roll back (README, "Monitoring
    // by Attest"): the breach's alert, then the BreachResponder's rollback citing it.
    const drift = await harness.test
      .anonymous()
      .post('/api/v1/monitoring/drift')
      .set('Authorization', await bearer('ci', ['pipeline']))
      .send({
        deploymentId: UAT,
        version: '1.2.0',
        feature: 'debt_ratio',
        metric: 'psi',
        value: 0.42,
        threshold: 0.25,
        window: { from: '2026-11-20T10:00:00.000Z', to: '2026-11-20T11:00:00.000Z' },
      });
    expect(drift.status).toBe(201);
    const alertId = drift.body.alertId as string;
    await harness.test.runner.waitFor(drift.body.ledgerPosition, 10_000);
    const alert = (await harness.test.http().get(`/api/v1/alerts/${alertId}`)).body as {
      summary: string;
      causeEventId: string;
    };
    const rolledBack = await harness.test.app.get(BreachResponder).rollBack(
      {
        deploymentId: UAT,
        model: MODEL,
        version: '1.2.0',
        reason: 'drift',
        alertId,
        signalEventId: alert.causeEventId,
        signalType: 'DriftDetected',
        metric: 'psi',
        value: 0.42,
        threshold: 0.25,
        summary: alert.summary,
      },
      {
        actor: MONITOR,
        now: time.iso(),
        correlationId: 'console-deployments',
        commandId: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
      },
    );
    expect(rolledBack).toBe(true);
    const head = await harness.test.eventLog.headPosition();
    await harness.test.runner.waitFor(head!, 10_000);
    expect(await serving(UAT)).toMatchObject({ version: '1.0.0' });

    await page.goto(`/console/deployments/${UAT}`);
    const row = page.locator('#history-heading + div tbody tr').first();
    await expect(text(row)).resolves.toContain('Rolled back 1.2.0 to 1.0.0 automatic');
    const cause = row.getByRole('link', { name: /alert “psi of debt_ratio/ });
    await expect(cause.getAttribute('href')).resolves.toBe(`#alert-${alertId}`);
    await expect(page.locator(`tr#alert-${alertId}`).count()).resolves.toBe(1);
  });

  it('does not overflow sideways on a tablet', async () => {
    const tablet = await harness.newPage(TABLET);
    await signIn(tablet, 'rick', ['risk-manager']);
    for (const path of ['/console/deployments', `/console/deployments/${STAGING}`]) {
      await tablet.goto(path);
      expect(await overflowsSideways(tablet)).toBe(false);
    }
  });

  it('shows a regulator no write control, and a pipeline exactly the API’s writes', async () => {
    const regulator = await harness.newPage();
    await signIn(regulator, 'reggie', ['regulator']);
    await regulator.goto(`/console/deployments/${STAGING}`);
    await expect(regulator.locator('[data-field="stable-version"]').count()).resolves.toBe(1);
    await expect(writeControls(regulator).count()).resolves.toBe(0);

    const scientist = await harness.newPage();
    await signIn(scientist, 'dana', ['data-scientist']);
    await scientist.goto(`/console/deployments/${STAGING}`);
    await expect(writeControls(scientist).count()).resolves.toBe(0);

    // The pipeline role may roll back and resolve alerts in the API, so in the console too.
    const pipeline = await harness.newPage();
    await signIn(pipeline, 'ci', ['pipeline']);
    await pipeline.goto(`/console/deployments/${STAGING}`);
    await expect(pipeline.locator('form[data-write="rollback"]').count()).resolves.toBe(1);
    await expect(pipeline.locator('form[data-write="resolve"]').count()).resolves.toBe(1);

    // The server checks again: a data scientist's forged POST is refused.
    const cookies = (await scientist.context().cookies()).map((c) => `${c.name}=${c.value}`);
    const forged = await harness.test
      .anonymous()
      .post(`/console/deployments/${STAGING}/rollback`)
      .set('Cookie', cookies.join('; '))
      .type('form')
      .send({ reason: 'not mine to do' });
    expect(forged.status).toBe(403);
    expect(await serving(STAGING)).toMatchObject({ version: '1.0.0' });
  });
});
