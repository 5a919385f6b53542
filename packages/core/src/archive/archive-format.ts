import { isUtf8 } from "node:buffer"
import { join } from "node:path"
import type { RawResponse } from "../source/source.js"

/**
 * One archived API response: a line of a harvest's archive file. The file format is documented in
 * docs/architecture.md ("The raw archive"); this is its one home (writer and reader).
 */
export interface ArchivedResponse extends RawResponse {
  readonly harvestId: string
  /** The epoch the page it made was committed in. */
  readonly epoch: number
  /**
   * The first epoch of the pass that fetched it: a run whose source started from the beginning of
   * its plan (a first run, a later run fetching new or provisional days) starts a pass; a resume
   * after a crash or a stop continues one. Dedupe holds within a pass, not across passes.
   */
  readonly pass: number
  /** The body as text, as archived (undefined when its bytes are not UTF-8). */
  readonly bodyText: string | undefined
}

/** The JSON object of one line, as written: snake_case, times as ISO text, bodies as text. */
interface ArchiveLine {
  readonly harvest_id: string
  readonly epoch: number
  readonly pass: number
  readonly endpoint: string
  readonly fields: string
  readonly request: string
  readonly status: number
  readonly log_id: string | null
  readonly received_at: string
  /** The body as text when its bytes are valid UTF-8 (always, from the API), else null… */
  readonly body: string | null
  /** …and the bytes in base64 here instead. */
  readonly body_base64?: string
}

export const ARCHIVE_SUFFIX = ".ndjson.gz"

/** A harvest's archive file in `dir`: `<harvest id>.ndjson.gz` (characters unsafe in a file name as `_`). */
export const archiveFileOf = (dir: string, harvestId: string): string =>
  join(dir, `${harvestId.replace(/[^A-Za-z0-9._-]/g, "_")}${ARCHIVE_SUFFIX}`)

/**
 * One response as one archive line (with its newline), as bytes. The body (JSON text from the API,
 * ~20 kB a page) is escaped byte by byte straight into the line: the same bytes as
 * `JSON.stringify` of the decoded text, without decoding it, escaping a string copy and encoding it
 * back (three passes over every body, 3–4 µs per record of the CLI's main thread).
 */
export const archiveLine = (harvestId: string, epoch: number, pass: number, response: RawResponse): Buffer => {
  const bytes = response.body
  const utf8 = isUtf8(bytes)
  const head: Omit<ArchiveLine, "body"> = {
    harvest_id: harvestId,
    epoch,
    pass,
    endpoint: response.endpoint,
    fields: response.fields,
    request: response.request,
    status: response.status,
    log_id: response.logId,
    received_at: new Date(response.receivedAt).toISOString()
  }
  if (!utf8) {
    const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
    return Buffer.from(`${JSON.stringify({ ...head, body: null, body_base64: base64 })}\n`, "utf8")
  }
  // `{…,"received_at":"…"` + `,"body":"` + escaped body + `"}\n`, built in a scratch buffer in one
  // pass (an escaped byte takes at most 6), then copied out at its length.
  const prefix = `${JSON.stringify(head).slice(0, -1)},"body":"`
  const out = scratchOf(Buffer.byteLength(prefix) + bytes.length * 6 + 3)
  let at = out.write(prefix, 0, "utf8")
  at = escapeJsonBytes(bytes, out, at)
  out[at++] = QUOTE
  out[at++] = 0x7d // }
  out[at++] = 0x0a // \n
  return Buffer.from(out.subarray(0, at))
}

/** Reused for lines up to 4 MiB (a page's body is ~20–40 kB); a larger one gets a buffer of its own. */
const SCRATCH_MAX = 4 << 20
let scratch = Buffer.allocUnsafe(0)
const scratchOf = (bytes: number): Buffer => {
  if (bytes > SCRATCH_MAX) return Buffer.allocUnsafe(bytes)
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, 256 * 1024))
  return scratch
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const HEX = "0123456789abcdef"
/** The short escapes JSON.stringify writes for control characters (0 where it writes `\u00XX`). */
const SHORT_ESCAPE = new Uint8Array(0x20)
SHORT_ESCAPE[0x08] = 0x62 // \b
SHORT_ESCAPE[0x09] = 0x74 // \t
SHORT_ESCAPE[0x0a] = 0x6e // \n
SHORT_ESCAPE[0x0c] = 0x66 // \f
SHORT_ESCAPE[0x0d] = 0x72 // \r

/**
 * Writes valid UTF-8 `bytes` escaped as `JSON.stringify` escapes their text (`"`, `\\`, control
 * characters; everything else, multi-byte characters included, as is) into `out` at `at`; returns
 * the offset after them.
 */
const escapeJsonBytes = (bytes: Uint8Array, out: Buffer, at: number): number => {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b !== QUOTE && b !== BACKSLASH && b >= 0x20) {
      out[at++] = b
      continue
    }
    out[at++] = BACKSLASH
    if (b >= 0x20) out[at++] = b
    else if (SHORT_ESCAPE[b] !== 0) out[at++] = SHORT_ESCAPE[b]!
    else {
      out[at++] = 0x75 // u
      out[at++] = 0x30
      out[at++] = 0x30
      out[at++] = HEX.charCodeAt(b >> 4)
      out[at++] = HEX.charCodeAt(b & 15)
    }
  }
  return at
}

const fail = (where: string, field: string, expected: string): never => {
  throw new Error(`${where}: ${field}: expected ${expected}`)
}

/** Reads one archive line back; `where` (file:line) names a broken one. */
export const parseArchiveLine = (text: string, where: string): ArchivedResponse => {
  let value: Partial<ArchiveLine>
  try {
    value = JSON.parse(text) as Partial<ArchiveLine>
  } catch (error) {
    return fail(where, "line", `a JSON object (${(error as Error).message})`)
  }
  if (typeof value !== "object" || value === null) return fail(where, "line", "a JSON object")
  const string = (field: keyof ArchiveLine) =>
    typeof value[field] === "string" ? (value[field] as string) : fail(where, field, "a string")
  const receivedAt = Date.parse(string("received_at"))
  if (Number.isNaN(receivedAt)) fail(where, "received_at", "an ISO time")
  if (!Number.isInteger(value.epoch)) fail(where, "epoch", "an integer")
  // Lines written before passes were recorded belong to one pass.
  if (value.pass !== undefined && !Number.isInteger(value.pass)) fail(where, "pass", "an integer")
  if (!Number.isInteger(value.status)) fail(where, "status", "an integer")
  if (!(value.log_id === null || typeof value.log_id === "string")) fail(where, "log_id", "a string or null")
  const bodyText = typeof value.body === "string" ? value.body : undefined
  const body = bodyText !== undefined
    ? Buffer.from(bodyText, "utf8")
    : typeof value.body_base64 === "string"
    ? Buffer.from(value.body_base64, "base64")
    : fail(where, "body", "a string (or body_base64)")
  return {
    harvestId: string("harvest_id"),
    epoch: value.epoch as number,
    pass: value.pass ?? 1,
    endpoint: string("endpoint"),
    fields: string("fields"),
    request: string("request"),
    status: value.status as number,
    logId: value.log_id as string | null,
    receivedAt,
    body,
    bodyText
  }
}
