import { createReadStream } from "node:fs"
import { readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { createGunzip } from "node:zlib"
import type { ArchivedResponse } from "./archive-format.js"
import { ARCHIVE_SUFFIX, parseArchiveLine } from "./archive-format.js"

/** Archives an earlier `--fresh` run kept aside (`<id>.<time>.replaced.ndjson.gz`): not replayed. */
const REPLACED = `.replaced${ARCHIVE_SUFFIX}`

/** The harvest archive files in `dir`, by name (earlier archives kept aside by `--fresh` excluded). */
export const archiveFilesIn = async (dir: string): Promise<ReadonlyArray<string>> => {
  const names = await readdir(dir)
  return names.filter((name) => name.endsWith(ARCHIVE_SUFFIX) && !name.endsWith(REPLACED)).sort().map((name) => join(dir, name))
}

/**
 * The responses of one archive file, in the order they were archived (delivery order). The file is
 * a series of gzip members (any gzip reader takes it whole); a broken line fails naming file:line.
 * `fromByte`, a member boundary (a committed epoch's end), skips what comes before it.
 */
export async function* readArchiveFile(path: string, fromByte = 0): AsyncGenerator<ArchivedResponse> {
  // A harvest that committed nothing yet leaves an empty file: no gzip member, no responses.
  if ((await stat(path)).size <= fromByte) return
  const chunks = createReadStream(path, { highWaterMark: 1 << 20, start: fromByte }).pipe(createGunzip({ chunkSize: 1 << 20 }))
  // Lines are split as bytes (a format 2 line's body is handed on as bytes, never decoded here);
  // `rest` holds the pieces of a line that spans chunks.
  let rest: Array<Buffer> = []
  let lineNumber = 0
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    let start = 0
    let end = chunk.indexOf(LF)
    if (rest.length > 0) {
      if (end === -1) {
        rest.push(chunk)
        continue
      }
      rest.push(chunk.subarray(0, end))
      yield parseArchiveLine(Buffer.concat(rest), `${path}:${++lineNumber}`)
      rest = []
      start = end + 1
      end = chunk.indexOf(LF, start)
    }
    for (; end !== -1; end = chunk.indexOf(LF, start)) {
      yield parseArchiveLine(chunk.subarray(start, end), `${path}:${++lineNumber}`)
      start = end + 1
    }
    if (start < chunk.length) rest.push(chunk.subarray(start))
  }
  const last = Buffer.concat(rest)
  if (last.toString("utf8").trim() !== "") yield parseArchiveLine(last, `${path}:${lineNumber + 1}`)
}

const LF = 0x0a
