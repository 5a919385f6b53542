import type { SinkTarget } from "@tikflow/core/internal"

/** A sink as a pipeline names it: a URI, or a URI plus options that override its query string. */
export type SinkSpec = string | { readonly uri: string; readonly options?: Readonly<Record<string, string | number | boolean>> }

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/

/**
 * Parses `scheme:location?key=value&…`. The query string is the sink's options; the location
 * keeps everything else (`duckdb::memory:` has location `:memory:`, a webhook keeps its URL).
 */
export const parseSinkUri = (spec: SinkSpec): SinkTarget => {
  const uri = typeof spec === "string" ? spec : spec.uri
  if (typeof uri !== "string") throw new Error(`uri: expected a string like "parquet:./out", got ${JSON.stringify(uri)}`)
  const match = SCHEME.exec(uri)
  if (match === null) throw new Error(`uri: expected "scheme:location" (e.g. "parquet:./out"), got ${JSON.stringify(uri)}`)
  const rest = uri.slice(match[0].length)
  const q = rest.indexOf("?")
  const location = q === -1 ? rest : rest.slice(0, q)
  const options: Record<string, string | number | boolean> = {}
  if (q !== -1) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      if (key.length === 0) throw new Error(`uri: expected "key=value" pairs after "?", got ${JSON.stringify(rest.slice(q + 1))}`)
      options[key] = value
    }
  }
  if (typeof spec !== "string" && spec.options !== undefined) Object.assign(options, spec.options)
  return { uri, scheme: match[1].toLowerCase(), location, options }
}

/** A display name for a target that never shows options (they may hold secrets) or URL credentials. */
export const displayName = (target: SinkTarget): string => {
  let location = target.location
  try {
    // `postgres://user:secret@host/db` arrives as the location `//user:secret@host/db`.
    const url = new URL(location.startsWith("//") ? `${target.scheme}:${location}` : location)
    if (url.username !== "" || url.password !== "") {
      url.username = ""
      url.password = ""
    }
    url.search = ""
    url.hash = ""
    location = location.startsWith("//") ? url.toString().slice(target.scheme.length + 1) : url.toString()
  } catch {
    // Not a URL: a path, `-`, `:memory:`; or a malformed authority, whose user info goes anyway.
    location = location.replace(/^\/\/[^/?#]*@/, "//").replace(/\?.*$/s, "")
  }
  return `${target.scheme}:${location}`
}

/**
 * The secrets a sink URI carries in its user info (`postgres://user:secret@host/db`), raw and
 * decoded, so a program can scrub them from anything it prints.
 */
export const uriSecrets = (uri: string): ReadonlyArray<string> => {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)@/.exec(uri)
  const colon = match?.[1]!.indexOf(":") ?? -1
  if (match === null || colon === -1) return []
  const raw = match[1]!.slice(colon + 1)
  let decoded = raw
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    // Malformed escapes: the raw text is what could be echoed.
  }
  return raw === decoded ? [raw] : [raw, decoded]
}
