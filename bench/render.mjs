// Renders BENCHMARKS.md from bench/results.json and, when present, the reliability suite's
// test/reliability/last-run.json. `node bench/render.mjs` re-renders without re-running.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const n = (x) => (typeof x === "number" ? x.toLocaleString("en-US") : "—")
const mmm = (s) => (s ? `${n(s.median)} (${n(s.min)}–${n(s.max)})` : "—")
const ratio = (s) => (s ? `**${s.median.toFixed(2)}** (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : "—")
const verdict = (ok) => (ok ? "met" : "**missed**")
const medianOf = (runs, field) => [...runs.map((r) => r[field])].sort((a, b) => a - b)[Math.floor(runs.length / 2)]

const reliabilityOf = () => {
  const path = fileURLToPath(new URL("../test/reliability/last-run.json", import.meta.url))
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined
}

/** " (`BENCH_ONLY=… pnpm bench`, N runs, date UTC, load average L)" when `scenario` was re-run on its own. */
const rerunNote = (results, scenario, runs) => {
  const p = (results.partialRuns ?? []).findLast((run) => run.scenarios.includes(scenario))
  if (p === undefined) return ""
  return ` (\`${p.command}\`, ${runs} runs, ${p.startedAt.slice(0, 16).replace("T", " ")} UTC, load average ${p.loadAverageAtStart.split(" ")[0]})`
}

export const renderBenchmarks = (results, reliability = reliabilityOf()) => {
  const s = results.scenarios
  const m = results.machine
  const out = []
  out.push("# Benchmarks", "")
  out.push(`Produced by \`${results.command}\` at ${results.startedAt.slice(0, 16).replace("T", " ")} UTC (commit ${m.commit}), ${results.durationSeconds ?? "?"} s in all.`)
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB RAM, Node ${m.node}; load average at start ${m.loadAverageAtStart}.` +
    " Ratios are taken run by run against a baseline measured in the same run, with variants interleaved, so load on the machine hits both alike.")
  for (const p of results.partialRuns ?? []) out.push(`Re-run on its own: ${p.scenarios.join(", ")} by \`${p.command}\` at ${p.startedAt.slice(0, 16).replace("T", " ")} UTC, ${p.durationSeconds ?? "?"} s (load average at start ${p.loadAverageAtStart}).`)
  out.push("", `Every figure is the median of ${results.runsPerFigure} runs with (min–max) unless it says otherwise. Each run is its own process,` +
    " so peak RSS (`process.resourceUsage().maxRSS`) is per run; the sandbox runs in another process and is not counted. Raw runs: `bench/results.json`.", "")

  if (s.source) {
    out.push("## Source overhead", "")
    out.push(`${n(s.source.records)} videos from the sandbox (faults off, 100 per page, 2 windows at a time). Baseline: a bare undici loop POSTing the same pages and \`JSON.parse\`-ing them. Target ≥ 0.8.`, "")
    out.push("| variant | records/s | peak RSS MB | ratio to baseline | CPU-time ratio |", "| --- | --- | --- | --- | --- |")
    for (const [k, v] of Object.entries(s.source.variants)) {
      const cpu = s.source.cpuRatios?.[k]
      out.push(`| ${k} | ${mmm(v.recordsPerSecond)} | ${mmm(v.peakRssMB)} | ${k === "baseline" ? "1" : `${ratio(s.source.ratios[k])} — ${verdict(s.source.ratios[k].median >= 0.8)}`} | ${k === "baseline" ? "1" : cpu ? `${ratio(cpu)} — ${verdict(cpu.median >= 0.8)}` : "—"} |`)
    }
    out.push("")
  }
  if (s.endToEnd?.bySize) out.push(...renderEndToEnd(s.endToEnd, rerunNote(results, "e2e", results.partialRuns?.findLast((p) => p.scenarios.includes("e2e"))?.runsPerFigure ?? results.runsPerFigure)))
  if (s.replay) {
    const r = s.replay
    out.push("## Replay", "")
    out.push(`${n(r.records)} videos harvested once into the raw archive (${n(Math.round(r.archiveBytes / 1024))} KiB of gzip NDJSON), then rebuilt from it as \`tikflow replay\` does: archived responses → the same decoders → persistent dedupe → one sink, zero requests. Baseline: DuckDB reading the same archive itself (\`read_json\`, every video unnested into a typed table). Target ≥ 0.6.`, "")
    out.push("| variant | records/s | peak RSS MB | ratio to DuckDB reading the archive |", "| --- | --- | --- | --- |")
    for (const [k, v] of Object.entries(r.variants)) {
      out.push(`| ${k} | ${mmm(v.recordsPerSecond)} | ${mmm(v.peakRssMB)} | ${k === "duckdbReads" ? "1" : `${ratio(r.ratios[k])} — ${verdict(r.ratios[k].median >= 0.6)}`} |`)
    }
    out.push("")
  }
  if (s.dedupe) {
    const d = s.dedupe
    out.push("## Dedupe", "")
    out.push(`${n(d.keys)} distinct keys plus ${n(d.duplicates)} repeats (${n(d.records)} records), persistent mode under the pipeline runner (epoch commits every 50,000 records) into a sink that discards. Baseline: the same keys into a plain in-memory \`Set\`.`, "")
    out.push("| variant | records/s | peak RSS MB | ratio |", "| --- | --- | --- | --- |")
    for (const [k, v] of Object.entries(d.variants)) out.push(`| ${k} | ${mmm(v.recordsPerSecond)} | ${mmm(v.peakRssMB)} | ${k === "baseline" ? "1" : ratio(d.ratios[k])} |`)
    out.push("")
  }
  if (s.sinks) {
    const k = s.sinks
    out.push("## Sinks alone", "")
    out.push(`${n(k.records)} synthetic videos (built before the clock starts) written through the sink ${k.page ? `as the CLI drives it: pages of ${k.page} records (the sink builds its own Arrow batches)` : "in Arrow batches of 10,000 built before the clock starts (measured before the scenario fed pages of 100 as the CLI does)"}, a flush every 50,000 records, then close. Opening the sink (loading DuckDB or parquet-wasm, creating tables) is timed apart. Floor: DuckDB's own \`CREATE TABLE … AS SELECT * FROM read_parquet(…)\` of the same rows. CPU µs/record is the main thread's CPU over the timed part (DuckDB's own threads included, they are the process's). Peak RSS includes the input held in memory, so it is not the sinks' own footprint.`, "")
    out.push("| variant | records/s | CPU µs/record | open ms | peak RSS MB | ratio to floor |", "| --- | --- | --- | --- | --- | --- |")
    for (const [name, v] of Object.entries(k.variants)) out.push(`| ${name} | ${mmm(v.recordsPerSecond)} | ${mmm(v.cpuMicrosPerRecord)} | ${name === "floor" ? "—" : mmm(v.openMs)} | ${mmm(v.peakRssMB)} | ${name === "floor" ? "1" : ratio(k.ratios[name])} |`)
    out.push("")
  }
  if (s.postgres) {
    const k = s.postgres
    out.push("## PostgreSQL sink", "")
    out.push(`${n(k.records)} synthetic videos (built before the clock starts) written through \`postgres://…\` (COPY into a staging table, merged by primary key with the checkpoint every 50,000 records) into a local PostgreSQL ${k.server} started by the bench (fsync on). Floor: PostgreSQL's own \`COPY … FROM '<file>'\` of the same rows into the same table. Target ≥ 0.6.`, "")
    out.push("| variant | records/s | peak RSS MB | ratio to floor |", "| --- | --- | --- | --- |")
    for (const [name, v] of Object.entries(k.variants)) {
      out.push(`| ${name} | ${mmm(v.recordsPerSecond)} | ${mmm(v.peakRssMB)} | ${name === "floor" ? "1" : `${ratio(k.ratios[name])} — ${verdict(k.ratios[name].median >= 0.6)}`} |`)
    }
    out.push("")
  }
  if (s.workers) {
    const k = s.workers
    out.push("## Workers sharing a work queue", "")
    out.push(`A video query of ${n(k.records)} videos in ${k.items} one-day windows (the work items), harvested by 1, 2 and 4 \`tikflow\` processes with \`--coordinator postgres://…\` into \`--out postgres://…\`, each one window at a time, against a sandbox answering after ${k.latencyMs} ms; from the first spawn until the last worker exits. Speed-up: records/s against one worker (near-linear until a rate limit binds).`, "")
    out.push("| workers | records/s | speed-up |", "| --- | --- | --- |")
    for (const [name, v] of Object.entries(k.variants)) out.push(`| ${name} | ${mmm(v.recordsPerSecond)} | ${name === "1" ? "1" : ratio(k.speedUp[name])} |`)
    out.push("")
  }
  if (s.webhook) {
    const w = s.webhook
    out.push("## Webhook", "")
    out.push(`${n(w.records)} videos in batches of ${w.batchSize} to a loopback receiver (own process, answers 200 after ${w.receiverDelayMs} ms). Baseline: a bare undici loop POSTing the same JSON batches at the same concurrency (no signature).`, "")
    out.push("| concurrency | sink batches/s | baseline batches/s | ratio | sink peak RSS MB |", "| --- | --- | --- | --- | --- |")
    for (const [c, v] of Object.entries(w.byConcurrency)) {
      out.push(`| ${c} | ${mmm(v.variants.sink.batchesPerSecond)} | ${mmm(v.variants.baseline.batchesPerSecond)} | ${ratio(v.ratio)} | ${mmm(v.variants.sink.peakRssMB)} |`)
    }
    out.push("")
  }
  if (s.startup) {
    const v = s.startup.variants
    out.push("## Startup", "")
    out.push("Milliseconds from spawning `tikflow user-info … --out SINK` to its first research request reaching a loopback stand-in for the API (`bench/scenarios/first-request.mjs`). Baseline: a bare `node` sending one request. Target: ≤ 500 ms into NDJSON.", "")
    out.push("| variant | first request after (ms) |", "| --- | --- |")
    for (const [k, x] of Object.entries(v)) out.push(`| ${k} | ${mmm(x)}${k === "ndjson" ? ` — ${verdict(x.median <= 500)}` : ""} |`)
    out.push("")
  }
  if (s.quota) {
    const q = s.quota
    out.push("## Quota efficiency", "")
    out.push(`A filtered video query over four months (4 windows; default world shares: 20% hidden videos, which the cursor still counts) with every fault kind on (${Object.entries(q.faults).map(([k, v]) => `${k} ${v}`).join(", ")}).`)
    out.push("The minimum is what the sandbox's cursor semantics allow: per window, max(1, ceil(result positions / 100)) pages, hidden videos included since the cursor counts them — measured as the requests of a fault-free bare loop over the same query in the same run." +
      " Failed requests are those the sandbox answered with an injected error (429, 5xx, timeout, reset, malformed or truncated body, revoked token, stale search_id). Short and empty pages are successful answers that force extra pages no client can avoid; they are shown separately. Target ≤ 1.05 excluding failed requests.", "")
    out.push("| figure (median run) | value |", "| --- | --- |")
    out.push(`| records | ${n(q.runs[0].records)} |`, `| minimum requests | ${n(q.runs[0].minimumRequests)} |`)
    out.push(`| requests used | ${n(medianOf(q.runs, "requestsUsed"))} |`, `| of which failed | ${n(medianOf(q.runs, "failedRequests"))} |`, `| of which API-forced extra pages (short/empty) | ${n(medianOf(q.runs, "apiForcedExtraPages"))} |`)
    out.push(`| used / minimum, excluding failed | ${ratio(q.ratioExcludingFailed)} — ${verdict(q.ratioExcludingFailed.median <= 1.05)} |`)
    out.push(`| used / minimum, excluding failed and API-forced pages | ${ratio(q.ratioExcludingFailedAndForced)} |`, "")
  }
  if (s.ledger) {
    const { perRequest, blocks } = s.ledger.variants
    out.push("## Quota ledger", "")
    out.push(`${n(s.ledger.requests)} requests taken from the file ledger (lock file, re-read, atomic fsynced rewrite per store call): one store call per request against blocks of up to 10 units, settled in batches${rerunNote(results, "ledger", perRequest.cpuMicrosPerRequest.runs)}.`, "")
    out.push("| ledger | CPU µs / request | wall µs / request | locked writes |", "| --- | --- | --- | --- |")
    for (const [name, v] of [["a write per request", perRequest], ["blocks of 10", blocks]]) {
      out.push(`| ${name} | ${mmm(v.cpuMicrosPerRequest)} | ${mmm(v.wallMicrosPerRequest)} | ${mmm(v.lockedWrites)} |`)
    }
    out.push("")
  }
  const findings = fileURLToPath(new URL("./findings.md", import.meta.url))
  if (existsSync(findings)) out.push(readFileSync(findings, "utf8").trim(), "")
  out.push(...renderReliability(reliability))
  return out.join("\n").trimEnd() + "\n"
}

const TARGETS = { parquet: 0.6, duckdb: 0.5 }

/** End to end by harvest size: the CLI against the bare loop, wall and CPU ratios side by side. */
const renderEndToEnd = (e, note) => {
  const out = ["## End to end: the CLI", ""]
  out.push("`tikflow videos --query-file all.json --from … --to … --out SINK --concurrency 2` — the built binary in its own process, with its own quota ledger, checkpoints, dedupe (persistent keys) and sink, against the sandbox (10,000 videos a day, faults off, each video's JSON kept in memory once served; warmed by an untimed run over each size's range first)." +
    " Rate limit and daily quota opened wide. Baseline: the bare undici loop above, interleaved run by run." +
    " Printing what it prints off a terminal (a last progress line and the summary). **records/s** is from spawn to exit of each side's process (Node's start and loading the CLI included; the Startup section has the CLI's start alone)." +
    " **CPU µs/record** is the whole process's user + system CPU over the records (start-up included, for both); the **CPU ratio** is the baseline's CPU per record over the CLI's, the fairer figure on a loaded 2-core machine." +
    ` Targets: ≥ ${TARGETS.parquet} into Parquet and ≥ ${TARGETS.duckdb} into DuckDB at every size, not falling with size; peak RSS < 300 MB${note}.`, "")
  for (const size of e.sizes) {
    const x = e.bySize[size]
    const runs = x.runs.baseline.length
    out.push(`### ${n(size)} videos (${runs === 1 ? "one run" : `median of ${runs} runs`})`, "")
    out.push("| variant | records/s | CPU µs/record | peak RSS MB | wall ratio | CPU ratio |", "| --- | --- | --- | --- | --- | --- |")
    for (const [k, v] of Object.entries(x.variants)) {
      const target = TARGETS[k]
      const cpu = x.ratios.cpu[k]
      const verdictText = target === undefined || cpu === undefined ? "" : ` — ${verdict(cpu.median >= target)}`
      const rss = v.peakRssMB ? `${mmm(v.peakRssMB)}${k !== "baseline" && v.peakRssMB.median >= 300 ? " (**≥ 300**)" : ""}` : "—"
      out.push(`| ${k} | ${mmm(v.processRecordsPerSecond)} | ${mmm(v.processCpuMicrosPerRecord)} | ${rss} | ${k === "baseline" ? "1" : ratio(x.ratios.wall[k])} | ${k === "baseline" ? "1" : `${ratio(cpu)}${verdictText}`} |`)
    }
    const memory = Object.entries(x.runs).filter(([k]) => k !== "baseline" && x.runs[k][0].memory)
    if (memory.length > 0) {
      out.push("", "Where the CLI's peak RSS goes (sampled every 100 ms, largest value of a run: V8 heap reserved / in use, memory outside the heap that V8 tracks — Arrow and WebAssembly buffers): " +
        memory.map(([k, rs]) => `${k} ${rs.map((r) => `${r.memory.heapTotalMB}/${r.memory.heapUsedMB}/${r.memory.externalMB} MB`).join(", ")}`).join("; ") + ".")
    }
    out.push("")
  }
  return out
}

export const renderReliability = (r) => {
  const out = ["# Reliability", ""]
  const modes = r?.modes ?? {}
  if (Object.keys(modes).length === 0) return [...out, "Not run yet: `pnpm test:reliability` (short) or `TIKFLOW_RELIABILITY=long pnpm test:reliability` writes test/reliability/last-run.json.", ""]
  out.push("`pnpm test:reliability` runs the suite in its short mode (in CI via `.ci/run`); `TIKFLOW_RELIABILITY=long pnpm test:reliability` runs it longer." +
    " Every test asserts that no record is lost: **records lost: 0** in all of them. Figures from test/reliability/last-run.json:", "")
  for (const mode of ["long", "short"].filter((m) => modes[m])) {
    const run = modes[mode]
    out.push(`## ${mode === "long" ? "Long" : "Short"} mode (\`${run.command}\`, ${String(run.updatedAt).slice(0, 16).replace("T", " ")} UTC)`, "")
    for (const [name, part] of Object.entries(run.parts ?? {})) {
      out.push(`### ${part.title ?? name}`, "")
      for (const line of part.lines ?? []) out.push(`- ${line}`)
      out.push("")
    }
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(readFileSync(fileURLToPath(new URL("./results.json", import.meta.url)), "utf8"))
  writeFileSync(fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url)), renderBenchmarks(results))
}
