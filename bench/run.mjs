// `pnpm bench`: every scenario in its own child process (peak RSS per run), the sandbox in another,
// variants interleaved run by run so machine noise hits baseline and subject alike. Writes
// bench/results.json and BENCHMARKS.md. BENCH_QUICK=1: small sizes, a smoke run of a minute or two.
// BENCH_ONLY=source,e2e,replay,dedupe,sinks,postgres,workers,webhook,quota,ledger,startup picks scenarios; BENCH_RUNS=n (default 5).
// BENCH_SIZES=50000,500000,2000000 sets the end-to-end harvest sizes (default 50,000 and 500,000);
// sizes above 50,000 run BENCH_LARGE_RUNS times (default 1).
import { execSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { runScenario, startSandboxProcess } from "./lib/processes.mjs"
import { measureFirstRequest } from "./scenarios/first-request.mjs"
import { cpuRatioOf, ratioOf, summarize, summarizeRuns } from "./lib/stats.mjs"
import { renderBenchmarks } from "./render.mjs"

const quick = process.env.BENCH_QUICK === "1"
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined
const wanted = (name) => only === undefined || only.has(name)
// Quick mode is a smoke test of the harness: one run per figure unless BENCH_RUNS says otherwise.
const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 5))
const resultsPath = fileURLToPath(new URL("./results.json", import.meta.url))

// The sandbox world: 10,000 videos per day, none hidden, so N records = N/10,000 days of range.
const PER_DAY = 10_000
const sizes = quick
  ? { source: 10_000, e2e: [10_000, 30_000], dedupe: 200_000, sinks: 20_000, webhook: 5_000, quotaWorld: 20_000 }
  : { source: 50_000, e2e: [50_000, 500_000], dedupe: 5_000_000, sinks: 200_000, webhook: 50_000, quotaWorld: 100_000 }
if (process.env.BENCH_SIZES) sizes.e2e = process.env.BENCH_SIZES.split(",").map(Number)
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 1)
const worldDays = Math.ceil(Math.max(sizes.source, ...sizes.e2e) / PER_DAY)
const rangeOf = (records) => {
  const days = Math.ceil(records / PER_DAY)
  const end = new Date(Date.UTC(2024, 0, 1) + (days - 1) * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "")
  return { startDate: "20240101", endDate: end }
}

const log = (...args) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args)
const startedAt = Date.now()

/** Runs each variant `runs` times, interleaved; returns the runs per variant. */
const interleaved = async (label, variants, runs = RUNS) => {
  const out = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let r = 0; r < runs; r++) {
    for (const [name, [script, params]] of Object.entries(variants)) {
      const result = await runScenario(script, params, { timeoutMs: 3_600_000 })
      out[name].push(result)
      log(`${label} ${name} run ${r + 1}/${runs}: ${result.recordsPerSecond} rec/s, ${result.peakRssMB} MB`)
    }
  }
  return out
}
const variantsOf = (runs, fields) => Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summarizeRuns(v, fields)]))

const machine = {
  node: process.version,
  cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Math.round(Number((readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s*(\d+)/) ?? [])[1] ?? 0) / 1024 / 1024),
  loadAverageAtStart: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  commit: (() => {
    try {
      return execSync("git rev-parse --short HEAD", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    } catch {
      return "unknown"
    }
  })()
}

// BENCH_ONLY merges into the previous results so one scenario can be re-run alone.
const previous = only !== undefined && existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, "utf8")) : undefined
const envPart = (name) => (process.env[name] ? `${name}=${process.env[name]} ` : "")
const command = `${quick ? "BENCH_QUICK=1 " : ""}${only ? `BENCH_ONLY=${[...only].join(",")} ` : ""}${envPart("BENCH_SIZES")}${envPart("BENCH_RUNS")}${envPart("BENCH_LARGE_RUNS")}pnpm bench`
// A BENCH_ONLY run keeps the full run's header and is listed as a partial re-run.
const results = previous
  ? { ...previous, partialRuns: [...(previous.partialRuns ?? []), { command, startedAt: new Date(startedAt).toISOString(), loadAverageAtStart: machine.loadAverageAtStart, commit: machine.commit, runsPerFigure: RUNS, scenarios: [...only] }] }
  : { command, quick, runsPerFigure: RUNS, machine, startedAt: new Date(startedAt).toISOString(), scenarios: {} }
const save = () => {
  const seconds = Math.round((Date.now() - startedAt) / 1000)
  if (previous) results.partialRuns.at(-1).durationSeconds = seconds
  else results.durationSeconds = seconds
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n")
  writeFileSync(fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url)), renderBenchmarks(results))
}

/**
 * End to end as a user runs it: the `tikflow videos` binary (its quota ledger, checkpoints, dedupe
 * and sinks) against the bare undici loop, interleaved run by run, at each size. The sandbox is
 * warmed by an untimed baseline run over each size's range first. Ratios: records/s from spawn to
 * exit of the CLI's process over the loop's, and the loop's CPU time per record over the CLI's (both
 * whole processes, start-up included).
 */
const endToEnd = async (base) => {
  const sinks = (process.env.BENCH_E2E_SINKS ?? "parquet,duckdb,ndjson").split(",")
  const e2e = {
    target: ">= 0.6 of the baseline into Parquet, >= 0.5 into DuckDB, not falling with size; peak RSS < 300 MB",
    sizes: [],
    bySize: {}
  }
  results.scenarios.endToEnd = e2e
  for (const size of sizes.e2e) {
    const params = { ...base, ...rangeOf(size) }
    // Warmed over this size's range, untimed: the sandbox keeps each video's JSON the first time it
    // serves it (see cacheBytes below), so the first timed run over days not served yet, the
    // baseline's, paid for generating them while the runs after it were served from memory (at 0.5M
    // the sandbox spent 8–10.5 µs of CPU per record on that run and 4–6 on the others).
    await runScenario("end-to-end.mjs", { ...params, sink: "baseline" })
    // NDJSON only at the smallest size: the targets are Parquet's and DuckDB's.
    const here = size === sizes.e2e[0] ? sinks : sinks.filter((k) => k !== "ndjson")
    const variants = {
      baseline: ["end-to-end.mjs", { ...params, sink: "baseline" }],
      ...Object.fromEntries(here.map((sink) => [sink, ["cli-harvest.mjs", { ...params, sink }]]))
    }
    const runs = await interleaved(`e2e ${size}`, variants, size <= 50_000 ? RUNS : LARGE_RUNS)
    // Both sides timed alike: spawn to exit of their process.
    for (const list of Object.values(runs)) for (const r of list) r.processRecordsPerSecond = Math.round((r.records / r.wallMs) * 1000)
    e2e.sizes.push(size)
    e2e.bySize[size] = {
      records: runs.baseline[0].records,
      runs,
      variants: variantsOf(runs, ["processRecordsPerSecond", "wallMs", "processCpuMicrosPerRecord", "mainThreadCpuMicrosPerRecord", "peakRssMB"]),
      ratios: {
        wall: Object.fromEntries(here.map((k) => [k, ratioOf(runs[k], runs.baseline, "processRecordsPerSecond")])),
        cpu: Object.fromEntries(here.map((k) => [k, cpuRatioOf(runs[k], runs.baseline)]))
      }
    }
    save()
  }
}

if (wanted("source") || wanted("e2e")) {
  const sandbox = await startSandboxProcess({
    seed: 7,
    world: { videos: worldDays * PER_DAY, days: worldDays, startDate: "2024-01-01", hiddenVideoShare: 0 },
    quotaPerDay: 1e9,
    // Room to keep every video's JSON (~370 bytes each in this world), so once warmed the sandbox
    // serves each size from memory alike: its default 256 MiB held ~0.7M videos, and at 2M it
    // generated the other 1.3M on every run, 7.6–9.3 µs of its CPU per record on the 2 cores the
    // harvest shares against ~4.6 served from memory. (Its arena offsets are int32: under 2 GiB.)
    cacheBytes: Math.min(1.5 * 2 ** 30, Math.max(256 * 2 ** 20, worldDays * PER_DAY * 512))
  })
  const base = { url: sandbox.url, credentials: sandbox.credentials, concurrency: 2 }
  try {
    if (wanted("source")) {
      // The source as the CLI runs it: a dedupe stage follows, so it keeps the API's repeats.
      const params = { ...base, ...rangeOf(sizes.source), repeats: "keep" }
      // Warmed first, untimed, as each end-to-end size is (endToEnd): else the first baseline run
      // alone paid the sandbox for generating the range's videos, on the cores it shares.
      await runScenario("source.mjs", { ...params, mode: "baseline" })
      const runs = await interleaved("source", {
        baseline: ["source.mjs", { ...params, mode: "baseline" }],
        effect: ["source.mjs", { ...params, mode: "effect" }],
        rxjs: ["source.mjs", { ...params, mode: "rxjs" }]
      })
      results.scenarios.source = {
        records: runs.baseline[0].records,
        target: ">= 0.8 of baseline records/s",
        variants: variantsOf(runs),
        ratios: { effect: ratioOf(runs.effect, runs.baseline), rxjs: ratioOf(runs.rxjs, runs.baseline) },
        // CPU time per record of the harvest itself (process.cpuUsage around the run), baseline over variant.
        cpuRatios: { effect: cpuRatioOf(runs.effect, runs.baseline, "cpuMicrosPerRecord"), rxjs: cpuRatioOf(runs.rxjs, runs.baseline, "cpuMicrosPerRecord") },
        runs
      }
      save()
    }
    if (wanted("e2e")) await endToEnd(base)
  } finally {
    await sandbox.stop()
  }
}

if (wanted("replay")) {
  // One harvest of the sandbox into a raw archive (untimed), then rebuilt from it.
  const records = quick ? 20_000 : 100_000
  const days = Math.ceil(records / PER_DAY)
  const sandbox = await startSandboxProcess({ seed: 7, world: { videos: days * PER_DAY, days, startDate: "2024-01-01", hiddenVideoShare: 0 }, quotaPerDay: 1e9 })
  const archiveDir = mkdtempSync(join(tmpdir(), "tikflow-bench-archive-"))
  try {
    const archived = await runScenario("replay.mjs", { mode: "prepare", url: sandbox.url, credentials: sandbox.credentials, ...rangeOf(records), archiveDir })
    await sandbox.stop()
    const runs = await interleaved("replay", {
      duckdbReads: ["replay.mjs", { mode: "duckdb-reads", archiveDir }],
      parquet: ["replay.mjs", { mode: "parquet", archiveDir }],
      duckdb: ["replay.mjs", { mode: "duckdb", archiveDir }]
    })
    results.scenarios.replay = {
      records: archived.records,
      archiveBytes: statSync(join(archiveDir, archived.files[0])).size,
      target: ">= 0.6 of DuckDB reading the archive itself",
      variants: variantsOf(runs),
      ratios: { parquet: ratioOf(runs.parquet, runs.duckdbReads), duckdb: ratioOf(runs.duckdb, runs.duckdbReads) },
      runs
    }
    save()
  } finally {
    rmSync(archiveDir, { recursive: true, force: true })
  }
}

if (wanted("dedupe")) {
  const params = { keys: sizes.dedupe, duplicateShare: 0.05 }
  const runs = await interleaved("dedupe", {
    baseline: ["dedupe.mjs", { ...params, mode: "baseline" }],
    persistent: ["dedupe.mjs", { ...params, mode: "persistent" }]
  })
  results.scenarios.dedupe = {
    keys: sizes.dedupe,
    records: runs.persistent[0].records,
    duplicates: runs.persistent[0].duplicates,
    variants: variantsOf(runs),
    ratios: { persistent: ratioOf(runs.persistent, runs.baseline) },
    runs
  }
  save()
}

if (wanted("sinks")) {
  const params = { records: sizes.sinks }
  const runs = await interleaved("sinks", {
    floor: ["sinks.mjs", { ...params, mode: "floor" }],
    parquet: ["sinks.mjs", { ...params, mode: "parquet" }],
    duckdb: ["sinks.mjs", { ...params, mode: "duckdb" }]
  })
  results.scenarios.sinks = {
    records: sizes.sinks,
    page: 100,
    variants: variantsOf(runs, ["recordsPerSecond", "ms", "cpuMicrosPerRecord", "openMs", "peakRssMB"]),
    ratios: { parquet: ratioOf(runs.parquet, runs.floor), duckdb: ratioOf(runs.duckdb, runs.floor) },
    runs
  }
  save()
}

if (wanted("postgres")) {
  // A real server of its own, started as the tests start theirs (Debian's postgresql package),
  // durable (fsync on), as a lab's would be.
  const { startPostgres } = await import("../test/postgres/postgres-server.mjs")
  const server = await startPostgres({ durable: true })
  try {
    const params = { records: sizes.sinks, uri: server.uri(), socket: server.dir, port: server.port, database: server.database }
    const runs = await interleaved("postgres", {
      floor: ["postgres.mjs", { ...params, mode: "floor" }],
      sink: ["postgres.mjs", { ...params, mode: "sink" }]
    })
    results.scenarios.postgres = {
      records: sizes.sinks,
      server: server.psql("show server_version").trim(),
      variants: variantsOf(runs),
      ratios: { sink: ratioOf(runs.sink, runs.floor) },
      runs
    }
    save()
  } finally {
    server.destroy()
  }
}

if (wanted("workers")) {
  // 1, 2 and 4 CLI processes sharing one video query through the work queue (--coordinator) into
  // PostgreSQL, against a sandbox that answers after 300 ms as the real API does.
  const { startPostgres } = await import("../test/postgres/postgres-server.mjs")
  const server = await startPostgres()
  const perDay = quick ? 300 : 1_000
  const days = quick ? 4 : 12
  const sandbox = await startSandboxProcess({ seed: 11, latencyMs: 300, world: { videos: perDay * days, days, startDate: "2024-01-01", hiddenVideoShare: 0 }, quotaPerDay: 1e9 })
  try {
    const params = { url: sandbox.url, credentials: sandbox.credentials, uri: server.uri(), startDate: "2024-01-01", endDate: `2024-01-${String(days).padStart(2, "0")}` }
    const runs = await interleaved("workers", Object.fromEntries([1, 2, 4].map((n) => [`${n}`, ["workers.mjs", { ...params, workers: n }]])))
    results.scenarios.workers = {
      records: perDay * days,
      latencyMs: 300,
      items: days,
      variants: variantsOf(runs),
      speedUp: { 2: ratioOf(runs["2"], runs["1"]), 4: ratioOf(runs["4"], runs["1"]) },
      runs
    }
    save()
  } finally {
    await sandbox.stop()
    server.destroy()
  }
}

if (wanted("webhook")) {
  const receiverDelayMs = 5
  const receiver = spawn(process.execPath, [fileURLToPath(new URL("./lib/webhook-receiver.mjs", import.meta.url)), String(receiverDelayMs)], { stdio: ["pipe", "pipe", "inherit"] })
  const lines = createInterface({ input: receiver.stdout })[Symbol.asyncIterator]()
  const { url } = JSON.parse((await lines.next()).value)
  try {
    const webhook = { records: sizes.webhook, batchSize: 500, receiverDelayMs, byConcurrency: {} }
    results.scenarios.webhook = webhook
    for (const concurrency of [1, 4, 16]) {
      const params = { url, records: sizes.webhook, batchSize: 500, concurrency }
      const runs = await interleaved(`webhook c=${concurrency}`, {
        baseline: ["webhook.mjs", { ...params, mode: "baseline" }],
        sink: ["webhook.mjs", { ...params, mode: "sink" }]
      })
      webhook.byConcurrency[concurrency] = {
        variants: variantsOf(runs, ["batchesPerSecond", "recordsPerSecond", "peakRssMB"]),
        ratio: ratioOf(runs.sink, runs.baseline, "batchesPerSecond"),
        runs
      }
      save()
    }
  } finally {
    receiver.stdin.end("stop\n")
  }
}

if (wanted("quota")) {
  // Default world shares (20% hidden videos the cursor still counts), a filtered query over four months.
  const sandbox = await startSandboxProcess({ seed: 11, world: { videos: sizes.quotaWorld, days: 120, startDate: "2024-01-01" }, quotaPerDay: 1e9 })
  const failedKinds = ["rateLimit", "rateLimitNoRetryAfter", "serverError", "gatewayTimeout", "timeout", "reset", "malformed", "truncated", "tokenExpiry", "searchIdInvalid"]
  const rates = {
    rateLimit: 0.02, rateLimitNoRetryAfter: 0.01, serverError: 0.02, gatewayTimeout: 0.01, slow: 0.01, timeout: 0.005, reset: 0.01,
    malformed: 0.01, truncated: 0.01, tokenExpiry: 0.01, shortPage: 0.02, emptyPage: 0.02, repeat: 0.02, searchIdInvalid: 0.01
  }
  const timing = { slowMs: 50, retryAfterSeconds: 0 }
  try {
    const params = {
      url: sandbox.url,
      credentials: sandbox.credentials,
      startDate: "20240101",
      endDate: "20240429",
      query: { or: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "FR", "JP"] }] }
    }
    const runs = []
    for (let r = 0; r < RUNS; r++) {
      await sandbox.setFaults({ ...Object.fromEntries(Object.keys(rates).map((k) => [k, 0])), ...timing })
      const s0 = await sandbox.stats()
      const minimum = await runScenario("source.mjs", { ...params, mode: "baseline" })
      const s1 = await sandbox.stats()
      await sandbox.setFaults({ ...rates, ...timing })
      const harvest = await runScenario("quota.mjs", params)
      const s2 = await sandbox.stats()
      const used = s2.requests["video/query"] - s1.requests["video/query"]
      const injected = Object.fromEntries(Object.keys(s2.faults).map((k) => [k, s2.faults[k] - s1.faults[k]]))
      const failed = failedKinds.reduce((sum, k) => sum + injected[k], 0)
      const forced = injected.shortPage + injected.emptyPage
      const minimumRequests = s1.requests["video/query"] - s0.requests["video/query"]
      if (harvest.records !== minimum.records) throw new Error(`quota: harvest got ${harvest.records} records, the fault-free baseline ${minimum.records}`)
      runs.push({
        records: harvest.records,
        minimumRequests,
        requestsUsed: used,
        failedRequests: failed,
        apiForcedExtraPages: forced,
        ratioExcludingFailed: Math.round(((used - failed) / minimumRequests) * 1000) / 1000,
        ratioExcludingFailedAndForced: Math.round(((used - failed - forced) / minimumRequests) * 1000) / 1000,
        injected,
        retries: harvest.retries
      })
      log(`quota run ${r + 1}/${RUNS}: used ${used}, failed ${failed}, forced ${forced}, minimum ${minimumRequests}`)
    }
    results.scenarios.quota = {
      target: "<= 1.05x the minimum, excluding failed requests",
      faults: rates,
      ratioExcludingFailed: summarize(runs.map((r) => r.ratioExcludingFailed)),
      ratioExcludingFailedAndForced: summarize(runs.map((r) => r.ratioExcludingFailedAndForced)),
      runs
    }
    save()
  } finally {
    await sandbox.stop()
  }
}

if (wanted("ledger")) {
  // The quota ledger's cost per request: a locked, fsynced write per request (blocks of 1) against blocks of 10.
  const requests = quick ? 500 : 2_000
  const runs = await interleaved("ledger", {
    perRequest: ["ledger.mjs", { requests, maxBlock: 1 }],
    blocks: ["ledger.mjs", { requests, maxBlock: 10 }]
  })
  results.scenarios.ledger = { requests, variants: variantsOf(runs, ["cpuMicrosPerRequest", "wallMicrosPerRequest", "lockedWrites"]) }
  save()
}

if (wanted("startup")) {
  // The CLI's start: spawn to first research request, per sink, against Node's own start.
  const runs = await measureFirstRequest(RUNS)
  results.scenarios.startup = {
    target: "NDJSON run: first request within 500 ms of start",
    variants: Object.fromEntries(Object.entries(runs).map(([name, ms]) => [name, summarize(ms)])),
    runs
  }
  log(`startup: ${Object.entries(results.scenarios.startup.variants).map(([k, v]) => `${k} ${v.median} ms`).join(", ")}`)
  save()
}

save()
log(`done in ${results.durationSeconds} s: bench/results.json, BENCHMARKS.md`)
