import type { SinkPlugin, Source } from "@tikflow/core/internal"
import { ConfigError, pipeline, SinkError } from "@tikflow/core/internal"
import { Cause, Data, Effect, Stream } from "effect"
import { cp, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { builtinSinks, createSinkRegistry, loadSinkPlugin, makeSinkRegistry, parseSinkUri, resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sampleVideo } from "./support/records.js"

const exampleDir = fileURLToPath(new URL("../../../examples/sink-plugin-csv", import.meta.url))
const coreDir = fileURLToPath(new URL("../../core", import.meta.url))

/** Installs the example plugin into `<dir>/node_modules/tikflow-sink-csv` (and `@tikflow/core`) as npm would. */
const installExample = async (dir: string) => {
  const root = join(dir, "node_modules", "tikflow-sink-csv")
  await mkdir(join(root, "dist"), { recursive: true })
  // The plugin's peer dependency, installed next to it in the user's project (the built package).
  await mkdir(join(dir, "node_modules", "@tikflow"), { recursive: true })
  await symlink(coreDir, join(dir, "node_modules", "@tikflow", "core"), "dir")
  await cp(join(exampleDir, "package.json"), join(root, "package.json"))
  for (const file of await readdir(join(exampleDir, "src"))) {
    const source = await readFile(join(exampleDir, "src", file), "utf8")
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    await writeFile(join(root, "dist", file.replace(/\.ts$/, ".js")), out.outputText)
  }
}

const fakePlugin = (name: string, contract: number, extra = "") => `export default {
  contract: ${contract}, name: ${JSON.stringify(name)}, schemes: [${JSON.stringify(name)}],
  config: { parse: (t) => { if (t.options.bad) throw new Error("bad: expected nothing, got " + JSON.stringify(t.options.bad)); return { location: t.location } } },
  async open(context) { const seen = []; return { async write(b) { seen.push(b); ${extra} }, async flush() {}, async close() {}, seen } }
}
`

describe("sink URIs", () => {
  it("parses scheme, location and options", () => {
    expect(parseSinkUri("duckdb::memory:")).toEqual({ uri: "duckdb::memory:", scheme: "duckdb", location: ":memory:", options: {} })
    expect(parseSinkUri("parquet:./out?compression=snappy&partition=create_date")).toMatchObject({
      scheme: "parquet", location: "./out", options: { compression: "snappy", partition: "create_date" }
    })
    expect(parseSinkUri("webhook:https://example.org/hook?concurrency=2")).toMatchObject({ location: "https://example.org/hook", options: { concurrency: "2" } })
    expect(parseSinkUri({ uri: "ndjson:-?a=1", options: { a: 2, b: true } }).options).toEqual({ a: 2, b: true })
  })

  it("rejects a URI without a scheme and names unknown schemes with the known ones", () => {
    expect(() => resolveSink("./out")).toThrow(/uri: expected "scheme:location"/)
    let error: unknown
    try {
      resolveSink("sqlite:./x.db")
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(
      "sink \"sqlite:./x.db\": unknown scheme \"sqlite\", expected one of arrow, duckdb, jsonl, ndjson, parquet, postgres, postgresql, webhook (third-party sinks: load the plugin, e.g. tikflow-sink-sqlite)"
    )
  })

  it("bad config is a ConfigError naming the sink and the field", () => {
    try {
      resolveSink("parquet:/tmp/x?compression=lz4")
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect(e).toMatchObject({ field: "parquet:/tmp/x compression", message: "sink parquet:/tmp/x: compression: expected one of zstd, snappy, none, got \"lz4\"" })
    }
  })

  it("every built-in is a valid contract-1 plugin", () => {
    expect(builtinSinks.map((p) => p.name)).toEqual(["parquet", "arrow", "duckdb", "postgres", "webhook", "ndjson"])
    expect(createSinkRegistry().plugins).toHaveLength(6)
  })
})

describe("third-party plugins", () => {
  it("loads the example CSV plugin by path and writes through it", async () => {
    const registry = createSinkRegistry()
    const plugin = await registry.load(join(exampleDir, "src", "index.ts"))
    expect(plugin.name).toBe("csv")
    const out = await tempDir()
    const writer = await registry.open(`csv:${out}?delimiter=;`, streamContext("video", { stream: "videos" }))
    await writer.write({ records: [sampleVideo(1), { ...sampleVideo(2), video_description: "a;b \"c\"" }], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    const lines = (await readFile(join(out, "videos.csv"), "utf8")).split("\r\n")
    expect(lines[0].startsWith("id;create_time;username;")).toBe(true)
    expect(lines[2]).toContain(";\"a;b \"\"c\"\"\";")
    expect(() => registry.resolve(`csv:${out}?delimiter=ab`)).toThrow(/delimiter: expected one character/)
  })

  it("loads by package name (full and short) from the user's directory", async () => {
    const cwd = await tempDir()
    await installExample(cwd)
    expect((await loadSinkPlugin("tikflow-sink-csv", { cwd })).name).toBe("csv")
    const registry = createSinkRegistry({ cwd })
    await registry.load("csv")
    expect(registry.lookup("csv")?.name).toBe("csv")
  })

  it("loads scoped packages; a missing package or a bad name gets a clear error", async () => {
    const cwd = await tempDir()
    const root = join(cwd, "node_modules", "@acme", "tikflow-sink-fake")
    await mkdir(join(root, "lib"), { recursive: true })
    await writeFile(join(root, "package.json"), JSON.stringify({ name: "@acme/tikflow-sink-fake", type: "module", exports: { ".": { import: "./lib/main.js" } } }))
    await writeFile(join(root, "lib", "main.js"), fakePlugin("fake", 1))
    expect((await loadSinkPlugin("@acme/tikflow-sink-fake", { cwd })).name).toBe("fake")
    await expect(loadSinkPlugin("tikflow-sink-nope", { cwd })).rejects.toThrow(/sink plugin tikflow-sink-nope: package not found from/)
    await expect(loadSinkPlugin("@acme/other", { cwd })).rejects.toThrow(/expected a package named tikflow-sink-<name> or @scope\/tikflow-sink-<name>, or a path/)
    await expect(loadSinkPlugin("./missing.js", { cwd })).rejects.toThrow(/no file at/)
  })

  it("finds a package beside the CLI's install (searchFrom) when the user's directory has none", async () => {
    const cwd = await tempDir()
    const global = await tempDir()
    const root = join(global, "lib", "node_modules", "tikflow-sink-beside")
    await mkdir(root, { recursive: true })
    await writeFile(join(root, "package.json"), JSON.stringify({ name: "tikflow-sink-beside", type: "module", exports: "./index.js" }))
    await writeFile(join(root, "index.js"), fakePlugin("beside", 2))
    const cliDist = join(global, "lib", "node_modules", "@tikflow", "cli", "dist", "sinks")
    await mkdir(cliDist, { recursive: true })
    await expect(loadSinkPlugin("beside", { cwd })).rejects.toThrow(/package not found from/)
    expect((await loadSinkPlugin("beside", { cwd, searchFrom: [cliDist] })).name).toBe("beside")
    await expect(loadSinkPlugin("nope", { cwd, searchFrom: [cliDist] })).rejects.toThrow(`package not found from ${cwd} or ${cliDist}`)
  })

  it("a plugin of another contract version is refused with a clear error", async () => {
    const dir = await tempDir()
    await writeFile(join(dir, "v4.mjs"), fakePlugin("future", 4))
    await expect(loadSinkPlugin("./v4.mjs", { cwd: dir })).rejects.toThrow(
      "sink plugin ./v4.mjs: contract: expected 1, 2 or 3 (the sink contracts this tikflow implements), got 4 — upgrade tikflow for this plugin"
    )
    await writeFile(join(dir, "v0.mjs"), fakePlugin("ancient", 0))
    await expect(loadSinkPlugin("./v0.mjs", { cwd: dir })).rejects.toThrow(/got 0 — upgrade the plugin or tikflow so they agree/)
    await writeFile(join(dir, "v1.mjs"), fakePlugin("older", 1))
    expect((await loadSinkPlugin("./v1.mjs", { cwd: dir })).name).toBe("older")
    await writeFile(join(dir, "broken.mjs"), "export default { contract: 1, name: 'x', schemes: ['x'] }\n")
    await expect(loadSinkPlugin(join(dir, "broken.mjs"))).rejects.toThrow(/config: expected an object with a parse\(target\) function/)
  })

  it("plugin config errors name the field; scheme clashes are refused", async () => {
    const dir = await tempDir()
    await writeFile(join(dir, "p.mjs"), fakePlugin("parquetish", 1))
    const registry = createSinkRegistry({ cwd: dir })
    await registry.load("./p.mjs")
    expect(() => registry.resolve("parquetish:x?bad=1")).toThrow("sink parquetish:x: bad: expected nothing, got \"1\"")
    await writeFile(join(dir, "clash.mjs"), fakePlugin("parquet", 1))
    await expect(registry.load("./clash.mjs")).rejects.toThrow(/scheme "parquet" is already registered by parquet/)
  })

  it("writers get Arrow batches when they ask, and failures become SinkErrors", async () => {
    const seen: Array<unknown> = []
    const plugin: SinkPlugin<null> = {
      contract: 1, name: "probe", schemes: ["probe"], batchFormat: "arrow", config: { parse: () => null },
      open: async () => ({
        write: async (batch) => {
          if (batch.epoch === 2) throw new Error("boom")
          seen.push(batch.arrow?.numRows)
        },
        flush: async () => undefined,
        close: async () => undefined
      })
    }
    const registry = makeSinkRegistry({ plugins: [plugin] })
    const writer = await registry.open("probe:x", streamContext("video"))
    await writer.write({ records: [sampleVideo(1), sampleVideo(2)], epoch: 1 })
    expect(seen).toEqual([2])
    const error = await writer.write({ records: [sampleVideo(3)], epoch: 2 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SinkError)
    expect(error).toMatchObject({ sink: "probe:x", operation: "write", message: "probe:x: write failed: boom" })
  })

  it("an Arrow plugin's write says what the conversion to Arrow changed, beside what the plugin says", async () => {
    const stored: Array<unknown> = []
    const plugin: SinkPlugin<null> = {
      contract: 3, name: "probe", schemes: ["probe"], batchFormat: "arrow", config: { parse: () => null },
      open: async () => ({
        write: async (batch) => {
          stored.push(...batch.arrow!.getChild("video_description")!.toArray())
          return batch.epoch === 2 ? [{ column: "username", reason: "own-reason", count: 2 }] : undefined
        },
        flush: async () => undefined,
        close: async () => undefined
      })
    }
    const writer = await makeSinkRegistry({ plugins: [plugin] }).open("probe:x", streamContext("video"))
    const lone = (i: number) => ({ ...sampleVideo(i), video_description: `cut \ud83d`, hashtag_names: ["ok", "\udc00"] })
    expect(await writer.write({ records: [sampleVideo(1)], epoch: 1 })).toBeUndefined()
    expect(await writer.write({ records: [lone(2), lone(3), sampleVideo(4)], epoch: 2 })).toEqual([
      { column: "video_description", reason: "lone-surrogate", count: 2 },
      { column: "hashtag_names", reason: "lone-surrogate", count: 2 },
      { column: "username", reason: "own-reason", count: 2 }
    ])
    expect(stored.slice(1, 3)).toEqual(["cut \ufffd", "cut \ufffd"])
  })
})

describe("one wrapping, structured errors, the resume hook", () => {
  const failingPlugin = (failure: unknown): SinkPlugin<null> => ({
    contract: 2, name: "bad", schemes: ["bad"], config: { parse: () => null },
    open: async () => ({
      write: async () => {
        throw failure
      },
      flush: async () => undefined,
      close: async () => undefined
    })
  })

  const oneVideoSource: Source<"video"> = {
    kind: "video",
    stream: "videos",
    harvestId: "wrap-once",
    pages: () => Stream.make({ records: [sampleVideo(1)] as ReadonlyArray<unknown> as ReadonlyArray<never>, state: 1 })
  }

  it("a plugin failure through the registry and the runner reads once: `bad:./x: write failed: disk full`", async () => {
    const sink = makeSinkRegistry({ plugins: [failingPlugin(new Error("disk full"))] }).resolve("bad:./x")
    const exit = await Effect.runPromiseExit(pipeline(oneVideoSource).to(sink).run())
    const error = exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined
    expect(error).toBeInstanceOf(SinkError)
    expect((error as SinkError).message).toBe("bad:./x: write failed: disk full")
  })

  // What a plugin on its own copy of @tikflow/core throws (the CLI is a bundle with its own): other
  // classes of the same tags.
  class OtherCopyConfigError extends Data.TaggedError("ConfigError")<{ field: string; expected: string; got?: unknown; message: string }> {}
  class OtherCopySinkError extends Data.TaggedError("SinkError")<{ sink: string; operation: "write"; message: string }> {}

  it("a SinkError of another copy of @tikflow/core passes through as it is, read once", async () => {
    const failure = new OtherCopySinkError({ sink: "bad", operation: "write", message: "bad:./x: write failed: disk full" })
    const sink = makeSinkRegistry({ plugins: [failingPlugin(failure)] }).resolve("bad:./x")
    const exit = await Effect.runPromiseExit(pipeline(oneVideoSource).to(sink).run())
    expect(exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined).toMatchObject({ _tag: "SinkError", message: "bad:./x: write failed: disk full" })
  })

  it.each([
    ["ours", (field: string, expected: string, got: unknown) => ConfigError.make(field, expected, got)],
    ["another copy's", (field: string, expected: string, got: unknown) => new OtherCopyConfigError({ field, expected, got, message: `${field}: expected ${expected}, got ${JSON.stringify(got)}` })]
  ])("a plugin's ConfigError (%s) keeps its field, expectation and value, prefixed with the sink", (_, make) => {
    const plugin: SinkPlugin<null> = {
      contract: 2, name: "typed", schemes: ["typed"], open: failingPlugin(undefined).open,
      config: { parse: () => { throw make("level", "an integer from 1 to 9", "x") } }
    }
    const error = (() => {
      try {
        makeSinkRegistry({ plugins: [plugin] }).resolve("typed:./out?level=x")
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({
      field: "typed:./out level",
      expected: "an integer from 1 to 9",
      got: "x",
      message: "sink typed:./out: level: expected an integer from 1 to 9, got \"x\""
    })
  })

  it("discardUncommitted runs once, with the resume point, before the first write or flush and never in open", async () => {
    const calls: Array<string> = []
    const plugin: SinkPlugin<null> = {
      contract: 2, name: "hooked", schemes: ["hooked"], config: { parse: () => null },
      open: async () => {
        calls.push("open")
        return {
          discardUncommitted: async (resume) => void calls.push(`discard ${resume?.epoch ?? "none"}`),
          write: async (batch) => void calls.push(`write ${batch.epoch}`),
          flush: async (commit) => void calls.push(`flush ${commit.epoch}`),
          close: async () => void calls.push("close")
        }
      }
    }
    const sink = makeSinkRegistry({ plugins: [plugin] }).resolve("hooked:x")
    await (await sink.open(streamContext("video"))).close() // a probe: opened and closed, nothing discarded
    const writer = await sink.open(streamContext("video", { resume: { epoch: 3 } }))
    await writer.write({ records: [sampleVideo(1)], epoch: 4 })
    await writer.flush({ epoch: 4, checkpoint: checkpoint(4) })
    await writer.write({ records: [sampleVideo(2)], epoch: 5 })
    await writer.close()
    const flushFirst = await sink.open(streamContext("video"))
    await flushFirst.flush({ epoch: 1, checkpoint: checkpoint(1) })
    expect(calls).toEqual(["open", "close", "open", "discard 3", "write 4", "flush 4", "write 5", "close", "open", "discard none", "flush 1"])
  })
})
