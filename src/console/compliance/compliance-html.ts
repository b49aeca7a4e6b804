import type { Type } from '@nestjs/common';
import { apiRoles, type ConsoleContext } from '../console-context';
import { validated } from '../console-write';
import { Html, HtmlValue, html } from '../html';
import { dataTable, type TableColumn } from '../layout';

/**
 * What the compliance pages share (README, "Console"): tables with real headers, the query of a
 * page read through the API's own request class, and whether a person reads an API route.
 */

/** A table in its scrolling wrapper: column headers, one row header per row (the first cell). */
export function cellTable(caption: string, columns: TableColumn[], rows: HtmlValue[][]): Html {
  const cls = (column: TableColumn | undefined) => (column?.numeric ? 'num' : undefined);
  return dataTable({
    label: caption,
    caption,
    captionClass: 'visually-hidden',
    className: 'compliance-table',
    columns,
    rows: rows.map(
      (row) =>
        html`<tr>
          ${row.map((cell, i) =>
            i === 0
              ? html`<th scope="row">${cell}</th>`
              : html`<td class="${cls(columns[i])}">${cell}</td>`,
          )}
        </tr>`,
    ),
  });
}

/** `YYYY-MM-DD` as it is written: a calendar date, machine-readable in its datetime attribute. */
export function day(date: string | null | undefined): Html {
  if (!date) return html`<span class="muted">—</span>`;
  const text = date.slice(0, 10);
  return html`<time datetime="${text}">${text}</time>`;
}

/** The reporting period's fields of a compliance form: first and last UTC day. */
export function periodFields(period: { from: string; to: string }): Html {
  return html`<div>
      <label for="from">From (first day)</label>
      <input id="from" name="from" type="date" value="${period.from}" />
    </div>
    <div>
      <label for="to">To (last day, inclusive)</label>
      <input id="to" name="to" type="date" value="${period.to}" />
    </div>`;
}

/** A list as lines, or a dash when empty. */
export function lines(items: readonly HtmlValue[]): Html {
  if (items.length === 0) return html`<span class="muted">—</span>`;
  return html`<ul class="cell-list">
    ${items.map((item) => html`<li>${item}</li>`)}
  </ul>`;
}

/**
 * The page's query as the API route would take it: empty form fields and the time-travel
 * instant left out, then checked by the route's request class (unknown or bad fields: 400
 * naming each).
 */
export async function queryAs<T extends object>(
  ctx: ConsoleContext,
  metatype: Type<T>,
  extra: Record<string, string> = {},
): Promise<T> {
  const fields: Record<string, string> = {};
  for (const [key, value] of ctx.query) if (key !== 'asOf' && value !== '') fields[key] = value;
  return validated(metatype, { ...fields, ...extra }, 'query');
}

/** Whether the signed-in person holds one of the roles of the API route (read routes too). */
export function reads(ctx: ConsoleContext, controller: Type, method: string): boolean {
  return apiRoles(controller, method).some((role) => ctx.actor.roles.includes(role));
}
