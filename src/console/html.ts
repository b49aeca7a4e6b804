/**
 * HTML built from tagged templates (README, "Console"): every interpolated value is escaped unless
 * it is itself a fragment built by `html` (or marked `trusted`), so pages compose without ever
 * double-escaping and without a template engine. Written here because the packages that do this
 * (html-template-tag and the like) return plain strings, which the outer template escapes again.
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a template may interpolate: text (escaped), numbers, fragments, lists of them, or nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value as string | number | boolean));
}

/** `html\`<p>${text}</p>\``: the text is escaped, nested fragments are kept as they are. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup Attest itself made (an SVG it computed, an asset's text): never caller input. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** Joins fragments with a separator fragment. */
export function join(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  return new Html(parts.map(render).join(render(separator)));
}
