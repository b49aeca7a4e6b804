/**
 * The console's "Verify a pack" page, in the browser (README, "Console"): an audit pack (PDF) or
 * evidence bundle (JSON) dropped or picked by the person is checked here, with WebCrypto, by the
 * very checks `npm run verify` makes (src/integrity/evidence-checks.ts), against the keys the
 * service publishes at /.well-known/jwks.json: the only request made. The PDF's own CMS signature
 * cannot be checked in a browser and is listed as not checked, never as passed.
 */
import type { JSONWebKeySet } from 'jose';
import {
  type CheckResult,
  type EvidenceBundle,
  NotEvidence,
  type VerifierPlatform,
  checkEvidenceFile,
  verdictOf,
} from '../../../integrity/evidence-checks';
import { type PageElement, type PickedFile, pageDocument } from './dom';

const NOT_CHECKED = 'not checked in the browser — use the CLI (npm run verify -- pack.pdf)';

const browserPlatform: VerifierPlatform = {
  sha256: async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),
  inflate: async (bytes) => {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    try {
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      // The browser's own message ("Failed to fetch") would say nothing to the reader.
      throw new Error('its deflate data is corrupt');
    }
  },
  notCheckedHere: NOT_CHECKED,
};

async function publishedKeys(): Promise<JSONWebKeySet> {
  const response = await fetch('/.well-known/jwks.json', { credentials: 'omit' });
  if (!response.ok)
    throw new Error(`the published keys could not be fetched (HTTP ${response.status})`);
  const keys = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(keys.keys)) throw new Error('/.well-known/jwks.json holds no keys array');
  return keys as JSONWebKeySet;
}

const document = pageDocument();

function element(id: string): PageElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found;
}

function line(check: CheckResult): PageElement {
  const item = document.createElement('li');
  const state = check.notChecked ? 'not-checked' : check.ok ? 'passed' : 'failed';
  item.className = `check check-${state}`;
  item.dataset.check = state;
  const label = document.createElement('strong');
  label.textContent = check.notChecked ? 'Not checked: ' : check.ok ? '✓ Passed: ' : '✗ Failed: ';
  item.append(label, document.createTextNode(check.what));
  return item;
}

async function verify(file: PickedFile): Promise<void> {
  const result = element('verify-result');
  const verdict = element('verify-verdict');
  const summary = element('verify-summary');
  const list = element('verify-checks');
  result.hidden = false;
  result.dataset.state = 'running';
  verdict.className = 'notice notice-info';
  verdict.textContent = `Checking ${file.name}…`;
  summary.textContent = '';
  list.replaceChildren();
  try {
    const [bytes, jwks] = await Promise.all([
      file.arrayBuffer().then((buffer) => new Uint8Array(buffer)),
      publishedKeys(),
    ]);
    let bundle: EvidenceBundle | undefined;
    const { checks, named } = await checkEvidenceFile(
      bytes,
      {
        name: file.name,
        jwks,
        jwksLabel: 'the keys published at /.well-known/jwks.json',
        onStart: (found) => (bundle = found),
        // As the CLI: each event that passes is summed up; failures are named one by one.
        onCheck: (check) => {
          if (!check.ok || !check.what.startsWith('event ')) list.append(line(check));
        },
      },
      browserPlatform,
    );
    summary.textContent = `${bundle?.subject?.title ?? file.name}: ${bundle?.events?.length ?? 0} cited events`;
    const failed = checks.some((check) => !check.ok);
    const skipped = checks.filter((check) => check.notChecked).length;
    result.dataset.state = failed ? 'failed' : 'passed';
    verdict.className = `notice notice-${failed ? 'error' : 'success'}`;
    verdict.setAttribute('role', failed ? 'alert' : 'status');
    verdict.textContent =
      failed || skipped === 0
        ? verdictOf(checks, named)
        : `VERIFIED in the browser: every check it can make passed; ${skipped} ${skipped === 1 ? 'check was' : 'checks were'} not made here — use the CLI for ${skipped === 1 ? 'it' : 'them'}.`;
  } catch (error) {
    result.dataset.state = 'error';
    verdict.className = 'notice notice-error';
    verdict.setAttribute('role', 'alert');
    verdict.textContent =
      error instanceof NotEvidence
        ? `Not checked: ${error.message}.`
        : `Not checked: ${(error as Error).message}`;
  }
}

function start(): void {
  const input = element('pack-file');
  const zone = element('drop-zone');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void verify(file);
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('drop-zone-active');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop-zone-active'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('drop-zone-active');
    const file = event.dataTransfer?.files?.[0];
    if (file) void verify(file);
  });
  zone.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
