import type { Comment, SinkContext, SinkTarget, StreamContext } from "@tikflow/core"
import { Api, commentFields, Json } from "@tikflow/core"
import { bindSink } from "@tikflow/sinks"
import { testSinkPlugin } from "@tikflow/sinks/testing"
import { fc, test } from "@fast-check/vitest"
import { existsSync } from "node:fs"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readApiFixture } from "../../../test/fixtures/api-fixtures.js"
import type { CsvSinkConfig } from "../src/index.js"
import plugin from "../src/index.js"

/** An independent RFC 4180 reader: quoted fields, doubled quotes, CRLF record ends. */
const parseCsv = (text: string, delimiter = ","): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let i = 0
  while (i < text.length) {
    if (text[i] === "\"") {
      i++
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field")
        if (text[i] !== "\"") field += text[i++]
        else if (text[i + 1] === "\"") {
          field += "\""
          i += 2
        } else {
          i++
          break
        }
      }
    } else if (text.startsWith(delimiter, i)) {
      row.push(field)
      field = ""
      i += delimiter.length
    } else if (text.startsWith("\r\n", i)) {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
      i += 2
    } else field += text[i++]
  }
  return rows
}

const target = (location: string, options: SinkTarget["options"] = {}): SinkTarget => ({ uri: `csv:${location}`, scheme: "csv", location, options })

const context = (resume?: number): StreamContext => ({
  harvestId: "h1",
  recordKind: "comment",
  stream: "comments",
  primaryKey: ["id"],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  resume: resume === undefined ? undefined : { epoch: resume }
})

/** The context `open` gets from the registry, with a hand-made Arrow schema (only field names matter). */
const sinkContext = (config: CsvSinkConfig, fields: ReadonlyArray<string> = commentFields): SinkContext<CsvSinkConfig> => ({
  ...context(),
  target: target(config.dir),
  config,
  arrowSchema: { fields: fields.map((name) => ({ name })) } as unknown as SinkContext["arrowSchema"]
})

/** Opens the plugin directly, running its resume hook first as the registry would. */
const openDirect = async (sinkContext: SinkContext<CsvSinkConfig>) => {
  const writer = await plugin.open(sinkContext)
  await writer.discardUncommitted?.(sinkContext.resume)
  return writer
}

/** Opens the plugin as tikflow does: through the registry's binding, which runs its resume hook. */
const openCsv = (location: string, options: SinkTarget["options"] = {}, resume?: number) =>
  bindSink(plugin, target(location, options)).open(context(resume))

const text = fc.string({ unit: "binary", maxLength: 10 })
const commentArb: fc.Arbitrary<Comment> = fc.record({
  id: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
  video_id: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
  text: fc.option(fc.oneof(text, fc.constantFrom("a,b", "say \"hi\"", "line\r\nbreak", " padded ", "\u0000")), { nil: null }),
  like_count: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
  reply_count: fc.option(fc.nat(), { nil: null }),
  parent_comment_id: fc.option(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String), { nil: null }),
  create_time: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: null })
})

const tempDir = () => mkdtemp(join(tmpdir(), "tikflow-csv-"))
const checkpoint = (epoch: number) => ({ version: 1 as const, harvestId: "h1", epoch, state: null, updatedAt: "" })

describe("tikflow-sink-csv", () => {
  test.prop([fc.array(commentArb, { maxLength: 30 }), fc.constantFrom(",", ";", "\t")], { numRuns: 40 })(
    "RFC 4180: a reader gets back every field exactly (quotes, delimiters, line breaks, NUL)",
    async (comments, delimiter) => {
      const dir = await tempDir()
      const writer = await openCsv(dir, { delimiter: delimiter === "\t" ? "tab" : delimiter, null: "\\N" })
      await writer.write({ records: comments, epoch: 1 })
      await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
      await writer.close()
      const rows = parseCsv(await readFile(join(dir, "comments.csv"), "utf8"), delimiter)
      expect(rows[0]).toEqual([...commentFields])
      const cell = (v: string | number | null) => (v === null ? "\\N" : String(v))
      expect(rows.slice(1)).toEqual(comments.map((c) => commentFields.map((f) => cell(c[f]))))
    }
  )

  it("absent is not zero: recorded comments keep null (bare), 0 and \"\" (quoted) apart", async () => {
    const dir = await tempDir()
    const body = Json.parseLossless(readApiFixture("recorded/comment_list_page.json")) as { data: { comments: Array<Record<string, unknown>> } }
    const comments = Api.decodeCommentListResponseSync(body).records
    const writer = await openDirect(sinkContext(plugin.config.parse(target(dir))))
    await writer.write({ records: comments, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    const lines = (await readFile(join(dir, "comments.csv"), "utf8")).split("\r\n").slice(1, -1)
    expect(lines).toHaveLength(body.data.comments.length)
    body.data.comments.forEach((wire, i) => {
      const cells = lines[i].split(",")
      commentFields.forEach((field, column) => {
        const sent = wire[field]
        // Absent: the null text (empty, unquoted). Sent "": quoted. Sent 0: "0".
        const want = sent === undefined ? "" : sent === "" ? "\"\"" : String(sent)
        expect(cells[column], `${field} of comment ${i}`).toBe(want)
      })
    })
    expect(body.data.comments.some((c) => c.text === "")).toBe(true)
    expect(body.data.comments.some((c) => c.reply_count === undefined)).toBe(true)
  })

  it("a field a join added (an object) is written as JSON, not [object Object]", async () => {
    const dir = await tempDir()
    const config = plugin.config.parse(target(dir))
    const writer = await openDirect(sinkContext(config, [...commentFields, "author"]))
    const row: Comment = { id: "1", video_id: "2", text: "t", like_count: 0, reply_count: null, parent_comment_id: null, create_time: 1 }
    await writer.write({ records: [{ ...row, author: { username: "u", follower_count: 0 } } as unknown as Comment], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    const rows = parseCsv(await readFile(join(dir, "comments.csv"), "utf8"))
    expect(rows[1].at(-1)).toBe(JSON.stringify({ username: "u", follower_count: 0 }))
  })

  it("a resumed run removes rows of unacknowledged epochs", async () => {
    const dir = await tempDir()
    const row = (i: number): Comment => ({ id: String(i), video_id: "1", text: `t${i}`, like_count: i, reply_count: 0, parent_comment_id: null, create_time: 1 })
    const first = await openCsv(dir)
    await first.write({ records: [row(1), row(2)], epoch: 1 })
    await first.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await first.write({ records: [row(3)], epoch: 2 })
    await first.flush({ epoch: 2, checkpoint: checkpoint(2) }) // flushed, but the runner never committed epoch 2
    await first.write({ records: [row(4)], epoch: 3 })
    await first.close()
    await (await openCsv(dir)).close() // a probe open without resume point changes nothing
    const second = await openCsv(dir, {}, 1)
    await second.write({ records: [row(3), row(4)], epoch: 2 })
    await second.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await second.close()
    const rows = parseCsv(await readFile(join(dir, "comments.csv"), "utf8"))
    expect(rows.map((r) => r[0])).toEqual(["id", "1", "2", "3", "4"])
  })

  it("config errors name the field", () => {
    expect(() => plugin.config.parse(target("/x", { delimiter: "\"" }))).toThrow(/^delimiter: expected one character/)
    expect(() => plugin.config.parse(target("/x", { header: "yes" }))).toThrow(/^header: expected true or false, got "yes"/)
    expect(() => plugin.config.parse(target("/x", { sep: ";" }))).toThrow(/^sep: expected one of the options/)
    expect(() => plugin.config.parse(target(""))).toThrow(/^location: expected a directory/)
    expect(plugin.contract).toBe(2)
  })
})

// The contract suite every plugin author runs: crashes, resumes, each record exactly once,
// read back through an independent CSV reader.
testSinkPlugin(plugin, {
  read: async ({ dir, stream }) => {
    const file = join(dir, `${stream}.csv`)
    if (!existsSync(file)) return []
    const [header, ...rows] = parseCsv(await readFile(file, "utf8"))
    const id = header.indexOf("id")
    const username = header.indexOf("username")
    return rows.map((row) => ({ id: row[id], username: row[username] }))
  }
})
