/**
 * Markup that is safe by construction: `html` escapes every interpolated value unless it is
 * already `Html` (the result of another `html` template or of `join`). Queries, usernames and
 * error kinds come from users and the API, so nothing reaches the page unescaped.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

export type HtmlValue = Html | string | number | undefined | null | false | ReadonlyArray<HtmlValue>

/** Escapes text for element content and double-quoted attribute values (HTML and SVG). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const render = (value: HtmlValue): string => {
  if (value instanceof Html) return value.text
  if (value === undefined || value === null || value === false) return ""
  if (Array.isArray(value)) return value.map(render).join("")
  return escapeHtml(String(value))
}

export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<HtmlValue>): Html =>
  new Html(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]!) : ""), ""))

/** Several fragments as one, with an optional (trusted) separator. */
export const join = (parts: ReadonlyArray<HtmlValue>, separator = ""): Html => new Html(parts.map(render).join(separator))
