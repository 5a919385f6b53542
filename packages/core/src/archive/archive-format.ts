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
  /**
   * The body as text, as archived (undefined when its bytes are not UTF-8); a format 2 line's is
   * decoded when first read (replay parses the bytes themselves and words only errors with it).
   */
  readonly bodyText: string | undefined
}

/**
 * The JSON object of one line, as written: snake_case, times as ISO text. Two formats, each line
 * saying its own: format 2 (`"v":2`, first) embeds the body, a one-line JSON document the client
 * parsed, as is, as the line's last member; format 1 (no `v`, every line before format 2 and any
 * body that is not such a document) holds the body as JSON text.
 */
interface ArchiveLine {
  readonly v?: number
  readonly harvest_id: string
  readonly epoch: number
  readonly pass: number
  readonly endpoint: string
  readonly fields: string
  readonly request: string
  readonly status: number
  readonly log_id: string | null
  readonly received_at: string
  /** Format 2: the body's length in bytes (a line cut short is told, not read as a shorter body). */
  readonly body_bytes?: number
  /** Format 2: the body's JSON itself. Format 1: the body as text when its bytes are valid UTF-8 (always, from the API), else null… */
  readonly body: string | null
  /** …and the bytes in base64 here instead. */
  readonly body_base64?: string
}

export const ARCHIVE_SUFFIX = ".ndjson.gz"

/** A harvest's archive file in `dir`: `<harvest id>.ndjson.gz` (characters unsafe in a file name as `_`). */
export const archiveFileOf = (dir: string, harvestId: string): string =>
  join(dir, `${harvestId.replace(/[^A-Za-z0-9._-]/g, "_")}${ARCHIVE_SUFFIX}`)

/** How a format 2 line starts, and the member its body follows (a JSON string's text escapes every `"`, so no head string holds it). */
const V2_START = '{"v":2,'
const BODY_KEY = ',"body":'
const LF = 0x0a
const CR = 0x0d
const CLOSE = 0x7d // }

/**
 * One response as one archive line (with its newline), as bytes. A body the client parsed as JSON
 * (`RawResponse.bodyIsJson`: every page's answer), valid UTF-8 and without line breaks is copied in
 * as is (format 2): no pass over its bytes in JavaScript. Any other body is escaped byte by byte
 * into the line (format 1), the same bytes as `JSON.stringify` of its text, or kept as base64.
 */
export const archiveLine = (harvestId: string, epoch: number, pass: number, response: RawResponse): Buffer => {
  const pieces = archiveLinePieces(harvestId, epoch, pass, response)
  return pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces)
}

/**
 * The same line as consecutive pieces, for a writer that copies them into a larger buffer anyway
 * (the archive's gzip member): a format 2 line is its head, the response's body itself (not
 * copied: read only, never changed) and `}\n`, so the body's bytes are copied once, into the
 * member, instead of twice.
 */
export const archiveLinePieces = (harvestId: string, epoch: number, pass: number, response: RawResponse): ReadonlyArray<Uint8Array> => {
  const bytes = response.body
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
  const utf8 = isUtf8(bytes)
  if (utf8 && response.bodyIsJson === true && isOneLine(bytes)) return embeddedLinePieces(head, bytes)
  if (!utf8) {
    const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
    return [Buffer.from(`${JSON.stringify({ ...head, body: null, body_base64: base64 })}\n`, "utf8")]
  }
  return [escapedLine(head, bytes)]
}

/** A non-empty body without CR or LF bytes (which JSON allows between tokens, and line readers split at). */
const isOneLine = (bytes: Uint8Array): boolean =>
  bytes.length > 0 && bytes.indexOf(LF) === -1 && bytes.indexOf(CR) === -1

/** Format 2: `{"v":2,…,"received_at":"…","body_bytes":n` + `,"body":` + the body's bytes + `}\n`. */
const embeddedLinePieces = (head: Omit<ArchiveLine, "body">, bytes: Uint8Array): ReadonlyArray<Uint8Array> =>
  [Buffer.from(`${V2_START}${JSON.stringify(head).slice(1, -1)},"body_bytes":${bytes.length}${BODY_KEY}`, "utf8"), bytes, V2_END]
const V2_END = Buffer.from([CLOSE, LF])

/**
 * Format 1: `{…,"received_at":"…"` + `,"body":"` + escaped body + `"}\n`, built in a scratch buffer
 * in one pass (an escaped byte takes at most 6), then copied out at its length.
 */
const escapedLine = (head: Omit<ArchiveLine, "body">, bytes: Uint8Array): Buffer => {
  const prefix = `${JSON.stringify(head).slice(0, -1)}${BODY_KEY}"`
  const out = scratchOf(Buffer.byteLength(prefix) + bytes.length * 6 + 3)
  let at = out.write(prefix, 0, "utf8")
  at = escapeJsonBytes(bytes, out, at)
  out[at++] = QUOTE
  out[at++] = CLOSE
  out[at++] = LF
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

/**
 * Reads one archive line (its bytes, without the newline) back; `where` (file:line) names a broken
 * one. A format 2 line's body is the `body_bytes` bytes after its first `,"body":` (no string of the
 * head, escaped, holds one), exactly as received; only the head before them is parsed.
 */
export const parseArchiveLine = (line: Buffer, where: string): ArchivedResponse => {
  if (!startsWithV2(line)) return fromFormat1(line.toString("utf8"), where)
  const bodyAt = line.indexOf(BODY_KEY)
  if (bodyAt === -1) return fail(where, "body", "the response's JSON as the line's last member")
  const head = parseObject(`${line.toString("utf8", 0, bodyAt)}}`, where)
  const bodyStart = bodyAt + BODY_KEY.length
  const held = line.length - 1 - bodyStart
  if (line[line.length - 1] !== CLOSE || head.body_bytes !== held || held <= 0) {
    return fail(where, "body_bytes", `the body's length in bytes (the line holds ${Math.max(0, held)})`)
  }
  // A copy: the line is a view of the reader's decompressed chunk.
  const body = Buffer.from(line.subarray(bodyStart, line.length - 1))
  return responseOf(head, body, () => body.toString("utf8"), where)
}

const V2_START_BYTES = Buffer.from(V2_START, "utf8")
const startsWithV2 = (line: Buffer): boolean =>
  line.length > V2_START_BYTES.length && line.compare(V2_START_BYTES, 0, V2_START_BYTES.length, 0, V2_START_BYTES.length) === 0

const parseObject = (text: string, where: string): Partial<ArchiveLine> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return fail(where, "line", `a JSON object (${(error as Error).message})`)
  }
  return typeof value === "object" && value !== null ? (value as Partial<ArchiveLine>) : fail(where, "line", "a JSON object")
}

/** A format 1 line (or one of a format this reader does not know, which it names). */
const fromFormat1 = (text: string, where: string): ArchivedResponse => {
  const value = parseObject(text, where)
  if (value.v === 2) fail(where, "line", `format 2 as tikflow writes it ('${V2_START}…' with the body last)`)
  if (value.v !== undefined) fail(where, "v", "archive line format 1 or 2 (a newer tikflow wrote this archive)")
  const bodyText = typeof value.body === "string" ? value.body : undefined
  const body = bodyText !== undefined
    ? Buffer.from(bodyText, "utf8")
    : typeof value.body_base64 === "string"
    ? Buffer.from(value.body_base64, "base64")
    : fail(where, "body", "a string (or body_base64)")
  return responseOf(value, body, () => bodyText, where)
}

/** The response of a line's checked head fields and its body. */
const responseOf = (value: Partial<ArchiveLine>, body: Buffer, textOf: () => string | undefined, where: string): ArchivedResponse => {
  const string = (field: keyof ArchiveLine) =>
    typeof value[field] === "string" ? (value[field] as string) : fail(where, field, "a string")
  const receivedAt = Date.parse(string("received_at"))
  if (Number.isNaN(receivedAt)) fail(where, "received_at", "an ISO time")
  if (!Number.isInteger(value.epoch)) fail(where, "epoch", "an integer")
  // Lines written before passes were recorded belong to one pass.
  if (value.pass !== undefined && !Number.isInteger(value.pass)) fail(where, "pass", "an integer")
  if (!Number.isInteger(value.status)) fail(where, "status", "an integer")
  if (!(value.log_id === null || typeof value.log_id === "string")) fail(where, "log_id", "a string or null")
  let bodyText: string | undefined
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
    get bodyText() {
      return (bodyText ??= textOf())
    }
  }
}
