// Dedupe: `keys` distinct video ids plus `duplicateShare` re-sent ones, through the dedupe stage in
// persistent mode under the pipeline runner (epoch commits included) into a sink that discards;
// the baseline adds the same keys to a plain in-memory `Set`.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"
import { videoId } from "../lib/synthetic.mjs"

const params = paramsOf()
const PAGE = 1000

/** Pages of `{id}` records; every `1/duplicateShare`-th record is followed by a repeat of an earlier id. */
function* pages(keys, duplicateShare) {
  const every = duplicateShare > 0 ? Math.round(1 / duplicateShare) : Infinity
  let page = []
  let n = 0
  for (let i = 0; i < keys; i++) {
    page.push({ id: videoId(i) })
    if (++n % every === 0) page.push({ id: videoId(Math.floor(i / 2)) })
    if (page.length >= PAGE) {
      yield page
      page = []
    }
  }
  if (page.length > 0) yield page
}

const baseline = async () => {
  const seen = new Set()
  let records = 0
  let out = 0
  for (const page of pages(params.keys, params.duplicateShare)) {
    for (const r of page) {
      records++
      if (!seen.has(r.id)) {
        seen.add(r.id)
        out++
      }
    }
  }
  return { records, distinct: out }
}

// Loaded before the clock starts.
const core = params.mode === "baseline" ? undefined : await load("core")
const { Effect, Stream } = await dependencyOf("core", "effect")

const persistent = async () => {
  const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-dedupe-"))
  try {
    let state = 0
    const source = {
      kind: "video",
      stream: "videos",
      harvestId: "bench-dedupe",
      // One page per chunk: the default chunking would pull thousands of pages (millions of keys) ahead.
      pages: () => Stream.fromIterable((function* () {
        for (const records of pages(params.keys, params.duplicateShare)) yield { records, state: ++state }
      })(), { chunkSize: 1 })
    }
    let written = 0
    const discard = {
      name: "discard",
      open: async () => ({
        write: async (batch) => {
          written += batch.records.length
        },
        flush: async () => undefined,
        close: async () => undefined
      })
    }
    const summary = await Effect.runPromise(
      core.Pipeline.make(source).through(core.Transform.dedupe({ store: core.Transform.persistentKeys(join(dir, "keys")) })).to(discard)
        .run({ checkpoints: new core.Checkpoint.FileStore(join(dir, "state")) })
    )
    return { records: summary.recordsIn, distinct: written, duplicates: summary.duplicatesDropped, epochs: summary.epochsCommitted }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

emit(await measure(params.mode === "baseline" ? baseline : persistent))
