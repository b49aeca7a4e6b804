import { Controller, Get, Header, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditPackRequest, auditPackDownload } from '../../audit-pack/audit-pack.http.controller';
import { AuditPackService } from '../../audit-pack/audit-pack.service';
import { CurrentActor } from '../../auth/access.decorators';
import { CheckpointSigner, type SignedCheckpoint } from '../../integrity/checkpoint-signer';
import { EvidenceBuilder } from '../../integrity/evidence-builder';
import {
  type LedgerSearchHit,
  type LedgerSearchPage,
  SearchLedgerQuery,
} from '../../integrity/ledger-search.query';
import { PdfSigner } from '../../integrity/pdf-signer';
import { EVENT_TYPES } from '../../ledger/event-catalog';
import type { Actor } from '../../ledger/event-log.port';
import { InvalidRequest } from '../../ledger/ledger.errors';
import {
  type LedgerVerification,
  VerifyLedgerQuery,
} from '../../ledger-api/verify-ledger/verify-ledger.query';
import { ModelVersionPath } from '../../model-registry/model-path.request.dto';
import { Console, type ConsoleContext } from '../console-context';
import { validated } from '../console-write';
import { ConsoleController } from '../console-access';
import { Html, html } from '../html';
import { asOfField, dataTable, instant, notice, page } from '../layout';
import { LedgerExplorerRequest, explorerFields, instantOf } from './ledger-explorer.request';

/** Events per page of the explorer. */
export const EXPLORER_PAGE = 50;
const TYPES = [...EVENT_TYPES].sort();

/**
 * The ledger explorer, the ledger's verification and latest signed checkpoint, and the audit-pack
 * download (README, "Console"): the same query handlers and services as the API's ledger,
 * integrity and audit-pack routes.
 */
@ConsoleController()
@Controller('console')
export class LedgerConsoleController {
  constructor(
    private readonly queries: QueryBus,
    private readonly signer: CheckpointSigner,
    private readonly packs: AuditPackService,
    private readonly evidence: EvidenceBuilder,
    private readonly pdfSigner: PdfSigner,
  ) {}

  @Get('ledger')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async explorer(@Console() ctx: ConsoleContext): Promise<string> {
    const fields = explorerFields(ctx.query);
    const request = await validated(LedgerExplorerRequest, fields, 'query');
    const from = instantOf('from', request.from);
    const to = instantOf('to', request.to);
    if (from && to && to < from) {
      throw new InvalidRequest('invalid to', { to: ['to must not be before from'] });
    }
    const filter = {
      stream: request.stream,
      type: request.type,
      actor: request.actor,
      from,
      to,
      asOf: ctx.asOf,
      before: request.before === undefined ? undefined : Number(request.before),
    };
    const [found, checkpoint] = await Promise.all([
      this.queries.execute(new SearchLedgerQuery(filter, EXPLORER_PAGE)),
      this.checkpoint(ctx.asOf),
    ]);
    return page(ctx, {
      title: 'Ledger',
      section: 'ledger',
      body: html`${filters(ctx, request)} ${events(ctx, request, found)}
        <div class="ledger-panels">
          ${verificationPlaceholder(ctx)} ${checkpointPanel(ctx, checkpoint)}
        </div>
        ${auditPackForm(ctx)}`,
    }).text;
  }

  /**
   * The verification of the whole ledger (the API's GET /ledger/verify): loaded by the explorer
   * after it renders, since it reads every event; a page of its own without JavaScript.
   */
  @Get('ledger/verification')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async verification(
    @Console() ctx: ConsoleContext,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    const report = await this.queries.execute(new VerifyLedgerQuery());
    const panel = verificationPanel(ctx, report);
    if (request.headers['hx-request'] === 'true') return panel.text;
    return page(ctx, { title: 'Ledger verification', section: 'ledger', body: panel }).text;
  }

  /** The explorer's audit-pack form (GET): the path route below, or the fields at fault. */
  @Get('ledger/audit-pack')
  async auditPackForm(
    @Console() ctx: ConsoleContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const { name, version } = await validated(
      ModelVersionPath,
      { name: ctx.query.get('name') ?? '', version: ctx.query.get('version') ?? '' },
      'query',
    );
    const format = ctx.query.get('format') === 'json' ? 'json' : undefined;
    const target = `/console/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/audit-pack`;
    void reply.status(303).header('Location', format ? `${target}?format=json` : target);
  }

  /** The signed PDF audit pack (or its evidence bundle): the API's route, bytes and headers. */
  @Get('models/:name/versions/:version/audit-pack')
  auditPack(
    @Param() { name, version }: ModelVersionPath,
    @Query() { format }: AuditPackRequest,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    return auditPackDownload(
      { packs: this.packs, evidence: this.evidence, pdfSigner: this.pdfSigner },
      { name, version, format, actor, request, reply },
    );
  }

  /** The checkpoint shown: as of the instant while time travelling, else the latest. */
  private async checkpoint(asOf: Date | undefined): Promise<CheckpointState> {
    const checkpoint = asOf ? await this.signer.asOf(asOf) : await this.signer.latest();
    if (!checkpoint) return { checkpoint };
    try {
      // As the API's GET /ledger/checkpoints/latest: never shown unless its signature holds.
      await this.signer.verify(checkpoint);
      return { checkpoint };
    } catch (error) {
      return { checkpoint, problem: (error as Error).message };
    }
  }
}

interface CheckpointState {
  checkpoint?: SignedCheckpoint;
  problem?: string;
}

function filters(ctx: ConsoleContext, request: LedgerExplorerRequest): Html {
  const value = (field: 'from' | 'to') => {
    const text = request[field];
    if (!text) return '';
    const date = instantOf(field, text);
    return date ? date.toISOString().slice(0, 19) : '';
  };
  return html`<form
    class="filters ledger-filters"
    method="get"
    action="/console/ledger"
    role="search"
  >
    ${asOfField(ctx)}
    <div class="field">
      <label for="filter-stream">Stream</label>
      <input
        id="filter-stream"
        name="stream"
        type="text"
        value="${request.stream ?? ''}"
        placeholder="model-credit-risk"
      />
    </div>
    <div class="field">
      <label for="filter-type">Event type</label>
      <select id="filter-type" name="type">
        <option value="">Any type</option>
        ${TYPES.map(
          (type) =>
            html`<option value="${type}" ${type === request.type ? html`selected` : ''}>
              ${type}
            </option>`,
        )}
      </select>
    </div>
    <div class="field">
      <label for="filter-actor">Actor</label>
      <input id="filter-actor" name="actor" type="text" value="${request.actor ?? ''}" />
    </div>
    <div class="field">
      <label for="filter-from">From (UTC)</label>
      <input id="filter-from" name="from" type="datetime-local" step="1" value="${value('from')}" />
    </div>
    <div class="field">
      <label for="filter-to">To (UTC)</label>
      <input id="filter-to" name="to" type="datetime-local" step="1" value="${value('to')}" />
    </div>
    <div class="actions">
      <button type="submit">Filter events</button>
      <a href="${ctx.href('/console/ledger')}">Clear filters</a>
    </div>
  </form>`;
}

function actorOf(hit: LedgerSearchHit): string {
  return hit.event.metadata.actor?.sub ?? '';
}

function events(
  ctx: ConsoleContext,
  request: LedgerExplorerRequest,
  found: LedgerSearchPage,
): Html {
  const keep = {
    stream: request.stream,
    type: request.type,
    actor: request.actor,
    from: request.from,
    to: request.to,
  };
  const rows = found.items.map((hit) => {
    const { event } = hit;
    return html`<tr>
      <td class="num">${event.position}</td>
      <td>${instant(event.metadata.occurredAt)}</td>
      <td>
        <a href="${ctx.href('/console/ledger', { ...keep, stream: event.stream })}"
          >${event.stream}</a
        >
        <span class="muted">@${String(event.revision)}</span>
      </td>
      <td>
        <a href="${ctx.href('/console/ledger', { ...keep, type: event.type })}">${event.type}</a>
      </td>
      <td>
        <a href="${ctx.href('/console/ledger', { ...keep, actor: actorOf(hit) })}"
          >${actorOf(hit)}</a
        >
      </td>
      <td>
        <details>
          <summary>Data</summary>
          <pre class="event-data">${JSON.stringify(event.data, null, 2)}</pre>
          <p class="muted">
            Event ${event.id}; recorded ${instant(event.recordedAt)}; hash
            ${event.metadata.integrity.hash}
          </p>
        </details>
      </td>
    </tr>`;
  });
  const older =
    found.nextCursor === null
      ? ''
      : html`<a href="${ctx.href('/console/ledger', { ...keep, before: found.nextCursor })}"
          >Older events</a
        >`;
  const newest =
    request.before === undefined
      ? ''
      : html`<a href="${ctx.href('/console/ledger', keep)}">Newest events</a>`;
  const actorScan =
    request.actor !== undefined && found.nextCursor !== null && found.items.length < EXPLORER_PAGE
      ? html`<p class="muted">
          Looked through ${found.scanned} events for this actor; older ones may match too.
        </p>`
      : '';
  return html`<section aria-labelledby="events-heading">
    <h2 id="events-heading">Events</h2>
    ${
      ctx.asOf ? html`<p>Only events that had occurred by ${instant(ctx.asOf)} are listed.</p>` : ''
    }
    ${
      found.items.length === 0
        ? html`<p>
            No event matches these filters${found.nextCursor === null ? '' : ' on this page'}.
          </p>`
        : dataTable({
            label: 'Ledger events',
            caption: 'Ledger events, newest first',
            className: 'ledger-events',
            columns: [
              { label: 'Position' },
              { label: 'Time' },
              { label: 'Stream' },
              { label: 'Type' },
              { label: 'Actor' },
              { label: 'Data' },
            ],
            rows,
          })
    }
    ${actorScan}
    <nav class="pager" aria-label="Event pages">${newest} ${older}</nav>
  </section>`;
}

function verificationPlaceholder(ctx: ConsoleContext): Html {
  return html`<section
    class="panel"
    aria-labelledby="verification-heading"
    id="verification"
    hx-get="${ctx.href('/console/ledger/verification')}"
    hx-trigger="load"
    hx-swap="outerHTML"
  >
    <h2 id="verification-heading">Verification</h2>
    <p>
      Recomputing every hash chain and the integrity tree…
      <a href="${ctx.href('/console/ledger/verification')}">Show the verification</a>
    </p>
  </section>`;
}

function verificationPanel(ctx: ConsoleContext, report: LedgerVerification): Html {
  const chain = report.firstMismatch;
  // The console always asks for the tree (VerifyLedgerQuery checks it with the chains).
  const tree = report.tree ?? {
    ok: false,
    leavesChecked: 0,
    subtreesChecked: 0,
    checkpointsChecked: 0,
    checkpointRowsChecked: 0,
    signingKeyRowsChecked: 0,
    firstMismatch: null,
    mismatchCount: 0,
  };
  return html`<section class="panel" aria-labelledby="verification-heading" id="verification">
    <h2 id="verification-heading">Verification</h2>
    ${
      report.ok && tree.ok
        ? notice(
            'success',
            html`Verified: every hash chain and every stored node of the integrity tree match the
            events.`,
          )
        : notice(
            'error',
            html`Not verified: ${report.mismatchCount + tree.mismatchCount} problems found.`,
          )
    }
    ${
      ctx.asOf
        ? html`<p class="muted">
            The verification checks the ledger as it stands now: it cannot be run as of an instant.
          </p>`
        : ''
    }
    <dl class="facts">
      <dt>Hash chains</dt>
      <dd>
        ${report.ok ? 'match' : 'DO NOT MATCH'}: ${report.eventsChecked} events in
        ${report.streamsChecked} streams
      </dd>
      <dt>Integrity tree</dt>
      <dd>
        ${tree.ok ? 'matches' : 'DOES NOT MATCH'}: ${tree.leavesChecked} leaves,
        ${tree.subtreesChecked} subtrees
      </dd>
      <dt>Signed checkpoints</dt>
      <dd>
        ${tree.checkpointsChecked} checked (root and signature), ${tree.checkpointRowsChecked}
        checkpoint rows, ${tree.signingKeyRowsChecked} signing-key rows
      </dd>
    </dl>
    ${
      chain
        ? html`<p>
            First chain mismatch: ${chain.reason} at ${chain.stream}@${chain.revision} (event
            ${chain.id}).
          </p>`
        : ''
    }
    ${
      tree.firstMismatch
        ? html`<p>
            First tree mismatch: ${tree.firstMismatch.reason} in ${tree.firstMismatch.table} at
            ${tree.firstMismatch.at}.
          </p>`
        : ''
    }
  </section>`;
}

function checkpointPanel(ctx: ConsoleContext, state: CheckpointState): Html {
  const { checkpoint, problem } = state;
  const heading = ctx.asOf ? 'Signed checkpoint as of the instant' : 'Latest signed checkpoint';
  if (!checkpoint) {
    return html`<section class="panel" aria-labelledby="checkpoint-heading">
      <h2 id="checkpoint-heading">${heading}</h2>
      <p>
        ${ctx.asOf ? 'No checkpoint had been signed by then.' : 'No checkpoint has been signed yet.'}
      </p>
    </section>`;
  }
  return html`<section class="panel" aria-labelledby="checkpoint-heading" id="checkpoint">
    <h2 id="checkpoint-heading">${heading}</h2>
    ${problem ? notice('error', html`This checkpoint does not verify: ${problem}`) : ''}
    <dl class="facts">
      <dt>Tree size</dt>
      <dd>${checkpoint.treeSize} events</dd>
      <dt>Root hash</dt>
      <dd><code class="hash">${checkpoint.rootHash}</code></dd>
      <dt>Signing key id</dt>
      <dd><code class="hash">${checkpoint.keyId}</code></dd>
      <dt>Signed at</dt>
      <dd>${instant(checkpoint.timestamp)}</dd>
      <dt>Log</dt>
      <dd>${checkpoint.logId}</dd>
    </dl>
    <p>
      The keys that sign checkpoints are published at
      <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.
    </p>
  </section>`;
}

function auditPackForm(ctx: ConsoleContext): Html {
  return html`<section aria-labelledby="audit-pack-heading">
    <h2 id="audit-pack-heading">Audit pack</h2>
    <p>
      The signed PDF of a model version, with its evidence attached, as the API hands it out.
      ${ctx.asOf ? 'It is made from the ledger as it stands now, not as of the instant.' : ''} Check
      a pack on <a href="${ctx.href('/console/verify')}">Verify a pack</a>.
    </p>
    <form class="filters audit-pack-form" method="get" action="/console/ledger/audit-pack">
      <div class="field">
        <label for="pack-name">Model name</label>
        <input id="pack-name" name="name" type="text" required />
      </div>
      <div class="field">
        <label for="pack-version">Version</label>
        <input id="pack-version" name="version" type="text" required />
      </div>
      <fieldset class="field">
        <legend>Format</legend>
        <label><input type="radio" name="format" value="pdf" checked /> Signed PDF</label>
        <label><input type="radio" name="format" value="json" /> Evidence bundle (JSON)</label>
      </fieldset>
      <div class="actions"><button type="submit">Download the audit pack</button></div>
    </form>
  </section>`;
}
