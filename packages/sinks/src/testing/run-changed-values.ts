import type { ChangedValues, SinkPlugin, Video } from "@tikflow/core/internal"
import { changesOf, videoFields } from "@tikflow/core/internal"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bindSink } from "../registry/bind-sink.js"
import { parseSinkUri } from "../registry/sink-uri.js"
import type { ContractOutput, SinkContractOptions } from "./run-contract.js"
import { checkpointAt, contextFor } from "./run-contract.js"

// Text a format may not hold as it is: lone surrogates (UTF-8 has no bytes for one: a description
// cut mid-emoji), U+0000 (PostgreSQL text), beside text every format holds.
const usernames = ["plain", "日本語 🎉", "cut \ud83d", "\udc00x", "n\u0000ul", "a\\0b", null]

const videoWith = (i: number, username: string | null): Video =>
  ({ ...(Object.fromEntries(videoFields.map((field) => [field, null])) as unknown as Video), id: String(9_000 + i), username })

/**
 * A writer says what it stored changed: `write` resolves to nothing or to changed values
 * (`[{column, reason, count}]`, a positive count each), and when the rows `read` returns carry
 * `username`, each one read back other than written is counted for that column (a value may count
 * under two reasons: at least as many as differ, at most one per reason per value written).
 */
export const runChangedValuesContract = async (plugin: SinkPlugin<any>, options: SinkContractOptions): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), `tikflow-changes-${plugin.name}-`))
  const uri = (options.uri ?? ((d: string) => `${plugin.schemes[0]}:${d}`))(dir)
  const output: ContractOutput = { dir, uri, stream: "videos" }
  const writer = await bindSink(plugin, parseSinkUri(uri)).open(contextFor("changes-harvest", 0))
  const records = usernames.map((username, i) => videoWith(i, username))
  const said: Array<ChangedValues> = []
  try {
    for (const batch of [records.slice(0, 3), records.slice(3)]) {
      const result = await writer.write({ records: batch, epoch: 1 })
      if (result === undefined || (Array.isArray(result) && result.length === 0)) continue
      const changes = changesOf(result)
      if (changes === undefined) {
        throw new Error(`write resolved to ${JSON.stringify(result)}: expected nothing or changed values, [{column, reason, count}] with a positive integer count`)
      }
      said.push(...changes)
    }
    await writer.flush({ epoch: 1, checkpoint: checkpointAt("changes-harvest", 1) })
  } finally {
    await writer.close()
  }
  const rows = await options.read(output)
  if (!rows.some((row) => "username" in row)) return
  const written = new Map(records.map((record) => [record.id, record.username]))
  const differing = rows.filter((row) => {
    const before = written.get(String(row.id))
    return before != null && row.username !== before
  }).length
  const counted = said.filter((change) => change.column === "username").reduce((sum, change) => sum + change.count, 0)
  const reasons = new Set(said.filter((change) => change.column === "username").map((change) => change.reason)).size
  if (counted < differing) {
    throw new Error(`username: ${differing} value(s) read back other than written, but write said ${counted} changed: return what it stores changed (changeTally, wellFormedText)`)
  }
  if (counted > reasons * usernames.filter((name) => name !== null).length) {
    throw new Error(`username: write said ${counted} value(s) changed of ${usernames.length - 1} written`)
  }
}
