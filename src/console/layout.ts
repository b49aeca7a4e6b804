import type { ProblemDetails } from '../ledger/http/problem-details.filter';
import type { ConsoleContext } from './console-context';
import { Html, HtmlValue, html } from './html';

/** The console's sections, in the order of its navigation (README, "Console"). */
export const SECTIONS = [
  { key: 'inventory', label: 'Inventory', path: '/console' },
  { key: 'approvals', label: 'Approvals', path: '/console/approvals' },
  { key: 'deployments', label: 'Deployments', path: '/console/deployments' },
  { key: 'compliance', label: 'Compliance', path: '/console/compliance' },
  { key: 'ledger', label: 'Ledger', path: '/console/ledger' },
  { key: 'verify', label: 'Verify a pack', path: '/console/verify' },
] as const;

export type Section = (typeof SECTIONS)[number]['key'];

export interface PageOptions {
  title: string;
  section?: Section;
  body: HtmlValue;
  /** Scripts of this page beyond htmx (paths under /console/assets/). */
  scripts?: readonly string[];
}

/** An instant as people read it, in UTC, machine-readable in its datetime attribute. */
export function instant(iso: string | Date | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return html`${String(iso)}`;
  const text = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

/** The time-travel instant as a hidden field, so that a GET form (filters, periods) keeps it. */
export function asOfField(ctx: ConsoleContext): Html {
  return ctx.asOf
    ? html`<input type="hidden" name="asOf" value="${ctx.asOf.toISOString()}" />`
    : html``;
}

/** The value of the time-travel control for an instant (datetime-local, UTC). */
function controlValue(asOf: Date | undefined): string {
  return asOf ? asOf.toISOString().slice(0, 19) : '';
}

/** A sentence in a box: success, warning or error (role=status or alert for screen readers). */
export function notice(kind: 'info' | 'success' | 'warning' | 'error', body: HtmlValue): Html {
  const role = kind === 'error' ? 'alert' : 'status';
  return html`<div class="notice notice-${kind}" role="${role}">${body}</div>`;
}

/** A table that scrolls sideways on narrow screens instead of widening the page. */
export function tableWrap(caption: HtmlValue, table: Html): Html {
  return html`<div
    class="table-scroll"
    role="region"
    aria-label="${typeof caption === 'string' ? caption : 'table'}"
    tabindex="0"
  >
    ${table}
  </div>`;
}

/** A column of a data table: its header, and whether its cells are numbers (right-aligned). */
export interface TableColumn {
  label: HtmlValue;
  numeric?: boolean;
}

export interface TableOptions {
  /** The table's <caption>, when it has one. */
  caption?: HtmlValue;
  captionClass?: string;
  className?: string;
  columns: readonly TableColumn[];
  /** The body's rows, each a `<tr>`. */
  rows: HtmlValue;
}

/** ` class="…"`, or nothing when there is no class. */
function classAttribute(name: string | undefined): Html {
  return name ? html` class="${name}"` : html``;
}

/**
 * A data table (README, "Console"): an optional caption, column headers (th scope=col, `num` on
 * numeric columns), then the rows as given.
 */
export function table(options: TableOptions): Html {
  const { caption, columns, rows } = options;
  const num = (column: TableColumn) => classAttribute(column.numeric ? 'num' : undefined);
  const th = (column: TableColumn) => html`<th scope="col" ${num(column)}>${column.label}</th>`;
  return html`<table${classAttribute(options.className)}>
    ${caption === undefined ? '' : html`<caption${classAttribute(options.captionClass)}>${caption}</caption>`}
    <thead>
      <tr>
        ${columns.map(th)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** A data table in its scrolling wrapper; `label` names the wrapper (see tableWrap). */
export function dataTable(options: TableOptions & { label: string }): Html {
  return tableWrap(options.label, table(options));
}

function header(ctx: ConsoleContext | undefined, section: Section | undefined): Html {
  if (!ctx) {
    return html`<header class="top"><a class="brand" href="/console">Attest</a></header>`;
  }
  const nav = SECTIONS.map(
    (s) =>
      html`<li>
        <a href="${ctx.href(s.path)}" ${s.key === section ? html` aria-current="page"` : ''}
          >${s.label}</a
        >
      </li>`,
  );
  return html`<header class="top">
      <a class="brand" href="${ctx.href('/console')}">Attest</a>
      <nav aria-label="Sections">
        <ul>
          ${nav}
        </ul>
      </nav>
      <div class="who">
        <span
          >Signed in as <strong>${ctx.actor.sub}</strong>
          <span class="roles">(${ctx.actor.roles.join(', ')})</span></span
        >
        <form method="post" action="/console/sign-out" data-session>
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
          <button type="submit" class="link">Sign out</button>
        </form>
      </div>
    </header>
    <form class="time-travel" method="get" action="${ctx.path}" aria-label="Time travel">
      <label for="asOf">Show the ledger as it stood at (UTC)</label>
      <input
        id="asOf"
        name="asOf"
        type="datetime-local"
        step="1"
        value="${controlValue(ctx.asOf)}"
      />
      <button type="submit">Go</button>
      ${ctx.asOf ? html`<a href="${ctx.path}">Back to now</a>` : ''}
    </form>
    ${
      ctx.asOf
        ? notice(
            'warning',
            html`You are looking at the ledger as it stood at ${instant(ctx.asOf)}. Nothing can be
            changed from the past.`,
          )
        : ''
    }`;
}

/** A whole console page: navigation, who is signed in, time travel, then the page's body. */
export function page(ctx: ConsoleContext | undefined, options: PageOptions): Html {
  const scripts = ['htmx.min.js', ...(options.scripts ?? [])];
  return html`<!doctype html>
    <html lang="en-AU">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Attest</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${scripts.map((script) => html`<script src="/console/assets/${script}" defer></script>`)}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        ${header(ctx, options.section)}
        <main id="main" tabindex="-1">
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `;
}

/** An error as a page: the API's own sentence for it, and where to go next. */
export function errorPage(ctx: ConsoleContext | undefined, problem: ProblemDetails): Html {
  const fields = (problem as { errors?: Record<string, string[]> }).errors;
  return page(ctx, {
    title: problem.title,
    body: html`${notice('error', problem.detail)}
      ${
        fields
          ? html`<ul class="field-errors">
              ${Object.entries(fields).map(
                ([field, messages]) => html`<li><code>${field}</code>: ${messages.join('; ')}</li>`,
              )}
            </ul>`
          : ''
      }
      <p><a href="/console">Back to the inventory</a></p>`,
  });
}
