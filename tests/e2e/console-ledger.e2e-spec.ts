import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { storedEmbeddedFiles } from '../../src/integrity/evidence-checks';
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
import { caughtUp } from '../support/events';
import { seedSampleHistory } from '../support/sample-history';

/** The ledger explorer, the audit-pack download and "Verify a pack" (README, "Console"). */
describe('console: ledger and verifying a pack in the browser', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let dir: string;
  let seededFrom: Date;
  let beforeCheckpoint: Date;
  let checkpoint: { treeSize: number; rootHash: string; keyId: string };

  beforeAll(async () => {
    harness = await startConsole();
    const { test } = harness;
    dir = await mkdtemp(join(tmpdir(), 'attest-console-ledger-'));
    seededFrom = new Date(Date.now() - 1000);
    const { position } = await seedSampleHistory(test);
    await caughtUp(test, position);
    beforeCheckpoint = new Date();
    const signed = await test
      .anonymous()
      .post('/api/v1/ledger/checkpoints')
      .set('Authorization', `Bearer ${await test.token('carol', ['compliance-officer'])}`)
      .expect(201);
    await test.runner.waitFor(signed.body.ledgerPosition, 10_000);
    checkpoint = signed.body.checkpoint;
    page = await harness.newPage();
    await signIn(page, 'rita', ['regulator']);
  });
  afterAll(async () => {
    await harness?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Each listed event's [position, time, stream, type, actor]. */
  const rows = (target: Page = page) =>
    target.locator('table.ledger-events tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')];
        return {
          time: cells[1].querySelector('time')?.getAttribute('datetime') ?? '',
          stream: cells[2].querySelector('a')?.textContent?.trim() ?? '',
          type: cells[3].textContent?.trim() ?? '',
          actor: cells[4].textContent?.trim() ?? '',
        };
      }),
    );

  it('lists the ledger newest first, with the verification and the signed checkpoint, accessibly', async () => {
    const verifyApi = async () =>
      (await harness.test.http().get('/api/v1/ledger/verify').expect(200)).body as {
        ok: boolean;
        eventsChecked: number;
        streamsChecked: number;
        tree?: { leavesChecked: number };
      };
    const before = await verifyApi();
    await page.goto('/console/ledger');
    const listed = await rows();
    expect(listed.length).toBeGreaterThan(10);
    const times = listed.map((row) => row.time);
    expect([...times].sort().reverse()).toEqual(times);
    await expect(
      page.locator('table.ledger-events details').first().textContent(),
    ).resolves.toContain('Data');
    // The verification arrives after the page (it reads every event), as the API reports it.
    const verification = page.locator('#verification dl.facts');
    await verification.waitFor();
    // The same report as the API's (the regulator's own reads add access-log events meanwhile).
    const after = await verifyApi();
    expect(before.ok && after.ok).toBe(true);
    const shown = ((await page.locator('#verification').textContent()) ?? '').replace(/\s+/g, ' ');
    const [, events] = /match: (\d+) events in \d+ streams/.exec(shown) ?? [];
    expect(Number(events)).toBeGreaterThanOrEqual(before.eventsChecked);
    expect(Number(events)).toBeLessThanOrEqual(after.eventsChecked);
    // The tree is a projection: it may not hold the newest access-log events yet, never more.
    const [, leaves] = /matches: (\d+) leaves/.exec(shown) ?? [];
    expect(Number(leaves)).toBeGreaterThanOrEqual(before.tree?.leavesChecked ?? 1);
    expect(Number(leaves)).toBeLessThanOrEqual(Number(events));
    await expect(page.locator('#verification').textContent()).resolves.toContain('Verified');
    const panel = (await page.locator('#checkpoint').textContent()) ?? '';
    const latest = (await harness.test.http().get('/api/v1/ledger/checkpoints/latest').expect(200))
      .body;
    expect(panel).toContain(`${latest.treeSize} events`);
    expect(panel).toContain(latest.rootHash);
    expect(panel).toContain(latest.keyId);
    expect(latest.treeSize).toBeGreaterThanOrEqual(checkpoint.treeSize);
    expect(await writeControls(page).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'ledger');
  });

  it('filters by type, stream, actor and period, keeping the filters from page to page', async () => {
    await page.goto('/console/ledger');
    await page.getByLabel('Event type').selectOption('ModelVersionRegistered');
    await page.getByRole('button', { name: 'Filter events' }).click();
    await page.waitForURL(/type=ModelVersionRegistered/);
    const byType = await rows();
    expect(byType.length).toBeGreaterThan(0);
    expect(byType.every((row) => row.type === 'ModelVersionRegistered')).toBe(true);

    await page.locator('table.ledger-events tbody tr td:nth-child(3) a').first().click();
    const stream = new URL(page.url()).searchParams.get('stream');
    expect(stream).toMatch(/^model-/);
    const byStream = await rows();
    expect(byStream.length).toBeGreaterThan(0);
    expect(
      byStream.every((row) => row.stream === stream && row.type === 'ModelVersionRegistered'),
    ).toBe(true);

    await page.goto('/console/ledger?actor=carol');
    const byActor = await rows();
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((row) => row.actor === 'carol')).toBe(true);
    expect(byActor.some((row) => row.type === 'LedgerCheckpointSigned')).toBe(false);

    const iso = (date: Date) => date.toISOString().slice(0, 19);
    await page.goto(`/console/ledger?to=${iso(new Date(seededFrom.getTime() - 60_000))}`);
    expect(await rows()).toEqual([]);
    await expect(page.getByText('No event matches these filters').count()).resolves.toBe(1);
    await page.goto(`/console/ledger?from=${iso(beforeCheckpoint)}&type=LedgerCheckpointSigned`);
    const inPeriod = await rows();
    expect(inPeriod.length).toBeGreaterThan(0);
    expect(inPeriod.every((row) => row.time >= beforeCheckpoint.toISOString().slice(0, 19))).toBe(
      true,
    );

    // A bad filter is the field named, never a 500.
    for (const [query, field] of [
      ['type=NoSuchEvent', 'type must be an event type'],
      ['stream=Not%20a%20stream', 'stream must be a stream name'],
      ['from=yesterday', 'from must be an instant'],
      ['from=2026-02-01T00:00&to=2026-01-01T00:00', 'to must not be before from'],
    ]) {
      const response = await page.goto(`/console/ledger?${query}`);
      expect({ query, status: response?.status() }).toEqual({ query, status: 400 });
      await expect(page.locator('main').textContent()).resolves.toContain(field);
    }
    const noVersion = await page.goto('/console/ledger/audit-pack?name=scorer&version=');
    expect(noVersion?.status()).toBe(400);
    await expect(page.locator('main').textContent()).resolves.toContain('version must be');
  });

  it('travels in time: events up to the instant only, and the checkpoint signed by then', async () => {
    await page.goto(`/console/ledger?asOf=${beforeCheckpoint.toISOString()}`);
    const listed = await rows();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((row) => row.time <= beforeCheckpoint.toISOString())).toBe(true);
    const panel = (await page.locator('main').textContent()) ?? '';
    expect(panel).toContain('Signed checkpoint as of the instant');
    expect(panel).not.toContain(checkpoint.rootHash);
    await page.locator('#verification dl.facts').waitFor();
    await expect(page.locator('#verification').textContent()).resolves.toContain(
      'cannot be run as of an instant',
    );
    await page.goto('/console/ledger');
    expect(await page.locator('main').textContent()).toContain(checkpoint.rootHash);
  });

  it('JOURNEY: a regulator verifying a pack in the browser, and seeing a tampered pack fail', async () => {
    // 1. The pack, downloaded from the console: the API's bytes and headers.
    await page.goto('/console/ledger');
    await page.getByLabel('Model name').fill('scorer');
    await page.getByLabel('Version').fill('1.0.0');
    const [download, response] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse((r) =>
        r.url().includes('/console/models/scorer/versions/1.0.0/audit-pack'),
      ),
      page.getByRole('button', { name: 'Download the audit pack' }).click(),
    ]);
    const packPath = join(dir, 'pack.pdf');
    await download.saveAs(packPath);
    const pack = await readFile(packPath);
    expect(pack.subarray(0, 5).toString()).toBe('%PDF-');
    const consoleHeaders = response.headers();
    const api = await harness.test
      .http()
      .get('/api/v1/models/scorer/versions/1.0.0/audit-pack')
      .buffer(true)
      .expect(200);
    for (const header of [
      'content-type',
      'attest-pack-id',
      'attest-signature',
      'attest-content-sha256',
      'attest-checkpoint',
      'attest-cited-events',
    ]) {
      expect({ header, console: Boolean(consoleHeaders[header]) }).toEqual({
        header,
        console: true,
      });
      expect({ header, api: Boolean(api.headers[header]) }).toEqual({ header, api: true });
    }
    expect(consoleHeaders['content-disposition']).toBe(api.headers['content-disposition']);
    expect(consoleHeaders['attest-cited-events']).toBe(api.headers['attest-cited-events']);

    // 2. Dropped (picked) on "Verify a pack": every check passes, with the keys the only request.
    const verify = await harness.newPage();
    await signIn(verify, 'rita', ['regulator']);
    await verify.goto('/console/verify');
    await verify.locator('#drop-zone[data-ready="true"]').waitFor();
    const requests: string[] = [];
    verify.on('request', (request) => requests.push(request.url()));
    await verify.setInputFiles('#pack-file', packPath);
    await verify.locator('#verify-result[data-state="passed"]').waitFor();
    const checks = verify.locator('#verify-checks li');
    await expect(verify.locator('#verify-checks li[data-check="failed"]').count()).resolves.toBe(0);
    const texts = await checks.allTextContents();
    expect(texts.some((t) => t.startsWith('✓ Passed: checkpoint signature'))).toBe(true);
    expect(texts.some((t) => /✓ Passed: cited events: (\d+) of \1 match/.test(t))).toBe(true);
    expect(texts.filter((t) => t.startsWith('Not checked: PDF signature'))).toHaveLength(1);
    expect(texts.every((t) => !t.startsWith('Not checked') || t.includes('use the CLI'))).toBe(
      true,
    );
    await expect(verify.locator('#verify-verdict').textContent()).resolves.toContain(
      'VERIFIED in the browser',
    );
    const toService = requests.filter((url) => url.startsWith(harness.baseUrl));
    expect(toService.map((url) => new URL(url).pathname)).toEqual(['/.well-known/jwks.json']);
    expect(await accessibilityViolations(verify)).toEqual([]);
    await screenshot(verify, 'verify-pass');

    // 3. One byte of the attached evidence changed: the failing check is named.
    const [evidence] = storedEmbeddedFiles(pack);
    const at = evidence.raw!.byteOffset - pack.byteOffset + Math.floor(evidence.raw!.length / 2);
    const tampered = Buffer.from(pack);
    tampered[at] ^= 0x01;
    const tamperedPath = join(dir, 'pack-tampered.pdf');
    await writeFile(tamperedPath, tampered);
    requests.length = 0;
    await verify.setInputFiles('#pack-file', tamperedPath);
    await verify.locator('#verify-result[data-state="failed"]').waitFor();
    const failed = await verify.locator('#verify-checks li[data-check="failed"]').allTextContents();
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]).toContain('✗ Failed: the attached evidence was changed');
    await expect(verify.locator('#verify-verdict').textContent()).resolves.toMatch(
      /^FAILED: The attached evidence was changed/,
    );
    expect(
      requests.filter((url) => url.startsWith(harness.baseUrl)).map((url) => new URL(url).pathname),
    ).toEqual(['/.well-known/jwks.json']);
    expect(await accessibilityViolations(verify)).toEqual([]);
    await screenshot(verify, 'verify-tampered');
  });

  it('checks an evidence bundle (JSON) downloaded from the console too, and a changed event dropped on the page fails', async () => {
    const bundle = await page.request.get(
      '/console/models/scorer/versions/1.0.0/audit-pack?format=json',
    );
    expect(bundle.status()).toBe(200);
    const text = await bundle.text();
    const path = join(dir, 'evidence.json');
    await writeFile(path, text);
    await page.goto('/console/verify');
    await page.locator('#drop-zone[data-ready="true"]').waitFor();
    await page.setInputFiles('#pack-file', path);
    await page.locator('#verify-result[data-state="passed"]').waitFor();
    await expect(page.locator('#verify-verdict').textContent()).resolves.toBe(
      'VERIFIED: every check passed',
    );

    const parsed = JSON.parse(text) as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    parsed.events[0].data = { ...parsed.events[0].data, tampered: true };
    // Dropped on the page this time, rather than picked.
    // (A browser expression: the test compiles without the DOM's types.)
    const dataTransfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      const file = new File([${JSON.stringify(JSON.stringify(parsed))}], 'evidence-changed.json');
      transfer.items.add(file);
      return transfer;
    })()`);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await page.locator('#verify-result[data-state="failed"]').waitFor();
    const failed = await page.locator('#verify-checks li[data-check="failed"]').allTextContents();
    expect(failed[0]).toMatch(/✗ Failed: event .*: its content hashes to .* it was altered/);
  });

  it('fits a tablet without sideways scrolling on both pages', async () => {
    const tablet = await harness.newPage(TABLET);
    await signIn(tablet, 'rita', ['regulator']);
    await tablet.goto('/console/ledger');
    await tablet.locator('#verification dl.facts').waitFor();
    expect(await overflowsSideways(tablet)).toBe(false);
    await tablet.goto('/console/verify');
    expect(await overflowsSideways(tablet)).toBe(false);
    expect(await accessibilityViolations(tablet)).toEqual([]);
  });
});
