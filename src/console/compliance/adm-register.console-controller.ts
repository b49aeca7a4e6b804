import { Controller, Get, Header, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AdmRegisterQuery } from '../../compliance/queries/adm-register/adm-register.query-handler';
import { AdmRegisterRequest } from '../../compliance/queries/adm-register/adm-register.request.dto';
import type {
  AdmRegisterEntryView,
  AdmRegisterView,
} from '../../compliance/queries/adm-register/adm-register.view';
import {
  reportingPeriod,
  reportingPeriodAsOf,
} from '../../compliance/queries/adm-register/reporting-period';
import { CLOCK, type Clock } from '../../ledger/clock';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { DeletionRequestsHttpController } from '../../privacy/queries/deletion-requests/deletion-requests.http.controller';
import { ConsoleController } from '../console-access';
import { Console, type ConsoleContext } from '../console-context';
import { Html, html } from '../html';
import { asOfField, instant, notice, page } from '../layout';
import { cellTable, day, lines, periodFields, queryAs, reads } from './compliance-html';
import { REPORT_PAGES } from './reports.console-controller';

/**
 * The compliance section's front page (README, "Console"): the APP 1.7 automated
 * decision-making register for a period, read by the API's own query, with the way to the
 * ASIC and OAIC reports and, for those who read them, the deletion requests.
 */
@ConsoleController()
@Controller('console/compliance')
export class AdmRegisterConsoleController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async register(@Console() ctx: ConsoleContext): Promise<string> {
    const asked = await queryAs(ctx, AdmRegisterRequest);
    // Time travel: the register as the ledger stood at the instant (the period ends there).
    const resolved = ctx.asOf
      ? reportingPeriodAsOf(asked, ctx.asOf)
      : reportingPeriod(asked, this.clock());
    if ('errors' in resolved) throw new InvalidRequest('invalid reporting period', resolved.errors);
    const register: AdmRegisterView = await this.queries.execute(
      new AdmRegisterQuery(resolved.period),
    );
    const links = [
      ...REPORT_PAGES.map(
        (r) =>
          html`<li>
            <a href="${ctx.href(`/console/compliance/reports/${r.name}`)}">${r.title}</a>
          </li>`,
      ),
      reads(ctx, DeletionRequestsHttpController, 'list')
        ? html`<li>
            <a href="${ctx.href('/console/compliance/deletion-requests')}">Deletion requests</a>
          </li>`
        : '',
    ];
    const { obligation, period } = register;
    return page(ctx, {
      title: 'Automated decision-making register',
      section: 'compliance',
      body: html`<nav aria-label="Compliance pages">
          <ul class="compliance-links">
            ${links}
          </ul>
        </nav>
        <p>
          Every model version that made or substantially assisted decisions about people (decision
          class solely-automated or substantially-assists) and served at any time in the period,
          with the kinds of personal information it uses, where and when it served, who approved it
          and what the register lacks (${obligation.reference}).
        </p>
        <form class="filters" method="get" action="${ctx.path}" aria-label="Reporting period">
          ${asOfField(ctx)} ${periodFields(period)}
          <button type="submit">Show the register</button>
        </form>
        <p>
          Period ${day(period.from)} to ${day(period.to)} (UTC
          days)${ctx.asOf ? html`, as recorded by ${instant(period.end)}` : ''}.
          ${
            obligation.inForce
              ? html`APP 1.7–1.9 were in force on ${day(period.to)} (from
                ${day(obligation.inForceFrom)}).`
              : html`APP 1.7–1.9 were not yet in force on ${day(period.to)}; they apply from
                ${day(obligation.inForceFrom)}.`
          }
        </p>
        <h2>Register entries (${register.entries.length})</h2>
        ${
          register.entries.length === 0
            ? notice(
                'info',
                'No model version that makes or substantially assists decisions served in this period.',
              )
            : entriesTable(ctx, register.entries)
        }`,
    }).text;
  }
}

function servedIn(ctx: ConsoleContext, entry: AdmRegisterEntryView): Html {
  return lines(
    entry.environments.flatMap((e) =>
      e.periods.map(
        (p) =>
          html`<a href="${ctx.href(`/console/deployments/${encodeURIComponent(e.deploymentId)}`)}"
              >${e.environment}</a
            >: ${instant(p.servedFrom)} to
            ${p.servedTo ? instant(p.servedTo) : 'the end of the period'}${
              p.startedAs === 'canary' ? ' (started as a canary)' : ''
            }`,
      ),
    ),
  );
}

/**
 * The version's signed audit pack, from the ledger pages' download (the API's own pack, as of
 * now: a pack is always built from the ledger as it stands).
 */
function auditPack(e: AdmRegisterEntryView): string {
  return `/console/models/${encodeURIComponent(e.model)}/versions/${encodeURIComponent(e.version)}/audit-pack`;
}

function entriesTable(ctx: ConsoleContext, entries: AdmRegisterEntryView[]): Html {
  return cellTable(
    'Automated decision-making register',
    [
      { label: 'Model version' },
      { label: 'Decision class · risk' },
      { label: 'Kinds of personal information' },
      { label: 'Decisions' },
      { label: 'Owner · vendor' },
      { label: 'Served' },
      { label: 'Approved by' },
      { label: 'Evaluations (passing)' },
      { label: 'Gaps' },
    ],
    entries.map((e) => [
      html`<a
          href="${ctx.href(
            `/console/models/${encodeURIComponent(e.model)}/versions/${encodeURIComponent(e.version)}`,
          )}"
          >${e.model} <span class="mono">${e.version}</span></a
        >${e.retiredAt ? html`<br /><span class="muted">retired ${instant(e.retiredAt)}</span>` : ''}
        <br /><a href="${auditPack(e)}"
          >Audit pack<span class="visually-hidden"> of ${e.model} ${e.version}</span> (PDF)</a
        >`,
      `${e.decisionClass} · ${e.riskTier}`,
      e.personalInformationKinds.length > 0
        ? e.personalInformationKinds.join(', ')
        : html`<span class="badge bad">none recorded</span>`,
      e.decisions,
      `${e.owner} · ${e.vendor ?? 'in-house'}`,
      servedIn(ctx, e),
      lines(e.approvals.map((a) => html`${a.environment}: ${a.approvedBy}`)),
      `${e.evaluations.count} (${e.evaluations.passing})`,
      e.gaps.length === 0
        ? html`<span class="badge ok">none</span>`
        : lines(e.gaps.map((g) => html`<span class="badge warn">${g.code}</span> ${g.detail}`)),
    ]),
  );
}
