import { Controller, Get, Header } from '@nestjs/common';
import { Console, type ConsoleContext } from '../console-context';
import { ConsoleController } from '../console-access';
import { html } from '../html';
import { page } from '../layout';

/**
 * "Verify a pack" (README, "Console"): the person's own browser checks an audit pack or evidence
 * bundle with the CLI's checks (browser/verify-pack.ts); nothing of the file is sent anywhere.
 */
@ConsoleController()
@Controller('console/verify')
export class VerifyPackConsoleController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  verify(@Console() ctx: ConsoleContext): string {
    return page(ctx, {
      title: 'Verify a pack',
      section: 'verify',
      scripts: ['verify-pack.js'],
      body: html`<p>
          Check an audit pack (PDF) or an evidence bundle (JSON) right here: your browser checks the
          checkpoint's signature (Ed25519) against the keys this service publishes at
          <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>, every cited event's hash from
          its content and its inclusion proof (SHA-256), and that the attached evidence is whole.
          The file never leaves your browser; the keys are the only thing it fetches.
        </p>
        <p>
          The PDF's own signature (CMS, inside the file) cannot be checked in a browser: it is
          listed as not checked. For it, and for a consistency check with a checkpoint you kept, use
          the offline verifier: <code>npm run verify -- pack.pdf</code>, or
          <a href="/api/v1/verifier/attest-verify.js">attest-verify.js</a> with Node.
        </p>
        ${ctx.asOf ? html`<p class="muted">Time travel does not apply here: a pack is checked as it is.</p>` : ''}
        <div class="drop-zone" id="drop-zone">
          <p>Drop the file here, or pick it:</p>
          <label for="pack-file">Audit pack or evidence bundle</label>
          <input id="pack-file" type="file" accept=".pdf,.json,application/pdf,application/json" />
        </div>
        <noscript>
          <p>This page checks packs with JavaScript in your browser; without it, use the CLI.</p>
        </noscript>
        <section id="verify-result" aria-labelledby="verify-result-heading" hidden>
          <h2 id="verify-result-heading">Result</h2>
          <div
            id="verify-verdict"
            class="notice notice-info"
            role="status"
            aria-live="polite"
          ></div>
          <p id="verify-summary"></p>
          <ul id="verify-checks" class="checks"></ul>
        </section>`,
    }).text;
  }
}
