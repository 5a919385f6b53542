import { createReadStream } from "node:fs"
import { readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { StringDecoder } from "node:string_decoder"
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
  const lines = createReadStream(path, { highWaterMark: 1 << 20, start: fromByte }).pipe(createGunzip({ chunkSize: 1 << 20 }))
  // A decoder keeps a character split across chunks whole.
  const decoder = new StringDecoder("utf8")
  let rest = ""
  let lineNumber = 0
  for await (const chunk of lines as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk)
    let start = 0
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      lineNumber++
      yield parseArchiveLine(text.slice(start, end), `${path}:${lineNumber}`)
      start = end + 1
    }
    rest = text.slice(start)
  }
  rest += decoder.end()
  if (rest.trim() !== "") yield parseArchiveLine(rest, `${path}:${lineNumber + 1}`)
}
