import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCli } from "./support/cli.js"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { Sandbox } from "./support/sandbox.js"
import { windowsOf } from "./support/windows.js"

// The built CLI harvests a multi-window video query into every built-in sink at once (NDJSON,
// Parquet, Arrow IPC, DuckDB, and a webhook to a loopback receiver) while the API repeats records
// of earlier pages (the sandbox's `repeat` fault); it is stopped at random points — SIGKILL in one
// harvest, SIGINT in another — and re-run with the same command (which resumes) until it completes.
// Short mode (CI): 5 SIGKILLs and 3 SIGINTs; long mode: 25 and 10 over a bigger world.
const killPoints = bySize(5, 25)
const interruptPoints = bySize(3, 10)
// Long mode needs a harvest that outlasts 25 stops of up to 0.9 s each at 25 requests/s.
const world = bySize({ videos: 6_000, days: 60 }, { videos: 60_000, days: 120 })
const from = "2024-01-01"
const to = bySize("2024-02-29", "2024-04-29")
const windowDays = 15
const concurrency = 2
const repeatRate = 0.3
const query = { and: [{ field_name: "create_date", operation: "GTE", field_values: ["20000101"] }] }

interface Store {
  readonly files: number
  readonly otherFiles: ReadonlyArray<string>
  readonly unreadable: ReadonlyArray<string>
  readonly ids: ReadonlyArray<string>
}
interface Inspection {
  readonly parquet: Store
  readonly arrow: Store
  readonly duckdb: { readonly ids: ReadonlyArray<string> }
}

/** The webhook receiver: every record id each path received, in order (a re-sent batch counts again). */
const startReceiver = async () => {
  const received = new Map<string, Array<string>>()
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { records?: ReadonlyArray<{ id: string }> }
      const ids = received.get(req.url ?? "") ?? []
      for (const record of body.records ?? []) ids.push(String(record.id))
      received.set(req.url ?? "", ids)
      res.writeHead(200).end("ok")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    idsAt: (path: string): ReadonlyArray<string> => received.get(path) ?? [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

interface HarvestHistory {
  readonly requests: Readonly<Record<string, number>>
  readonly runs: ReadonlyArray<{ readonly status: string; readonly requests: number }>
}

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()
const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0)
const compact = (day: string) => day.replaceAll("-", "")

describe(`crash and resume (${mode})`, () => {
  let sandbox: Sandbox
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let dir: string
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({ seed: 99, world: { ...world, startDate: from }, quotaPerDay: 1e9, faults: { repeat: repeatRate } })
    receiver = await startReceiver()
    dir = mkdtempSync(join(tmpdir(), "tikflow-crash-"))
    writeFileSync(join(dir, "query.json"), JSON.stringify(query))
  })
  afterAll(async () => {
    await sandbox?.stop()
    await receiver?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const windows = () => windowsOf(compact(from), compact(to), windowDays)
  const truth = () => sorted(windows().flatMap((w) => sandbox.groundTruth.videos({ query, ...w }).map((v) => String(v.id))))
  /** The fewest video-query requests the cursor allows (hidden videos count too). */
  const minimumRequests = () =>
    windows().reduce((sum, w) => {
      const start = Date.UTC(+w.start_date.slice(0, 4), +w.start_date.slice(4, 6) - 1, +w.start_date.slice(6, 8)) / 1000
      const end = Date.UTC(+w.end_date.slice(0, 4), +w.end_date.slice(4, 6) - 1, +w.end_date.slice(6, 8)) / 1000 + 86_400
      const range = sandbox.world.videos.range(start, end)
      return sum + Math.max(1, Math.ceil((range.to - range.from) / 100))
    }, 0)

  /**
   * Harvests into every sink under `<dir>/<name>`, stopped with `signal` after each delay (from
   * the first progress line), then run to completion; returns the stops that landed mid-harvest.
   */
  const harvestWithStops = async (name: string, signal: "SIGKILL" | "SIGINT", points: number, seed: number) => {
    const cwd = join(dir, name)
    mkdirSync(cwd)
    const args = [
      "videos", "--query-file", "../query.json", "--from", from, "--to", to, "--window-days", String(windowDays),
      "--out", "ndjson:./out/videos.ndjson", "--out", "parquet:./out/parquet", "--out", "arrow:./out/arrow",
      "--out", "duckdb:./out/harvest.duckdb", "--out", `webhook:${receiver.url}/${name}?unsigned=true&dead_letter=./dead-letter.ndjson`,
      "--base-url", sandbox.url, "--state", "./state", "--rate", "25", "--concurrency", String(concurrency),
      "--commit-every", "100", "--daily-quota", "10000000", "--log-format", "json"
    ]
    const env = { TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey, TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret }
    // Delays after the harvest has started: random, reproducible from the seed.
    const delays = fc.sample(fc.integer({ min: 0, max: 900 }), { numRuns: points, seed })
    let stops = 0
    for (const delay of delays) {
      const run = startCli(args, { cwd, env })
      await run.started
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (run.child.exitCode !== null) break
      run.child.kill(signal)
      const exit = await run.exited
      if (signal === "SIGKILL" ? exit.signal === "SIGKILL" : exit.code === 130) stops++
      else break
    }
    const final = startCli(args, { cwd, env })
    const finalExit = await final.exited
    expect(finalExit.code, finalExit.stderr.slice(-2000)).toBe(0)
    const output = lastJson<Inspection>(await runNode(scriptPath("inspect-output.mjs"), {
      parquetDir: join(cwd, "out", "parquet"),
      arrowDir: join(cwd, "out", "arrow"),
      duckdbFile: join(cwd, "out", "harvest.duckdb")
    }))
    const ndjson = readFileSync(join(cwd, "out", "videos.ndjson"), "utf8").split("\n").filter(Boolean).map((line) => String(JSON.parse(line).id))
    const cli = async (more: ReadonlyArray<string>) => (await startCli([...more, "--json"], { cwd, env }).exited).stdout
    const [listed] = JSON.parse(await cli(["runs", "--state", "./state"])) as Array<{ id: string }>
    const history = JSON.parse(await cli(["runs", "show", listed!.id, "--state", "./state"])) as HarvestHistory
    const ledger = JSON.parse(await cli(["quota"])) as { used: number }
    return { stops, output, ndjson, webhook: receiver.idsAt(`/${name}`), history, ledgerUsed: ledger.used }
  }

  it(`survives ${killPoints} SIGKILLs with exactly the ground truth in NDJSON, Parquet, Arrow and DuckDB, and every record at the webhook`, async () => {
    const before = sandbox.stats.requests["video/query"] ?? 0
    const { stops: kills, output, ndjson, webhook, history, ledgerUsed } = await harvestWithStops("killed", "SIGKILL", killPoints, 20261125)
    const expected = truth()
    expect(kills).toBe(killPoints)
    for (const store of [output.parquet, output.arrow]) {
      expect(store.unreadable).toEqual([])
      expect(store.otherFiles.filter((f) => !f.endsWith(".json"))).toEqual([])
    }
    // Equal as sorted lists: nothing lost, nothing invented, nothing twice.
    expect(sorted(ndjson)).toEqual(expected)
    expect(sorted(output.parquet.ids)).toEqual(expected)
    expect(sorted(output.arrow.ids)).toEqual(expected)
    expect(sorted(output.duckdb.ids)).toEqual(expected)
    // A webhook cannot take back a POST of an epoch a SIGKILL left uncommitted: that epoch is sent
    // again (receivers dedupe by Idempotency-Key). Nothing is lost or invented.
    expect(sorted([...new Set(webhook)])).toEqual(expected)
    const resent = webhook.length - expected.length

    // Bounded re-requests: per kill, at most one uncommitted page and one page in flight per window harvested at once.
    const minimum = minimumRequests()
    const used = (sandbox.stats.requests["video/query"] ?? 0) - before
    const extra = used - minimum
    expect(extra).toBeLessThanOrEqual(kills * 2 * concurrency)
    // The history counts every request the API received, the killed runs' too (from their journals),
    // each run as it ended. A request handed to the transport when a kill came counts as sent, as in
    // the quota ledger, though its bytes may not have left: at most the requests in flight per kill
    // above. The machine's quota ledger is at most each killed run's block of unsent units above (a
    // block is 1% of the daily limit, at most 100: 100 at this 10M a day), plus its requests in flight.
    const counted = total(history.requests)
    expect(counted).toBeGreaterThanOrEqual(used)
    expect(counted - used).toBeLessThanOrEqual(kills * concurrency)
    expect(history.runs.map((run) => run.status)).toEqual([...Array.from({ length: kills }, () => "killed"), "complete"])
    expect(history.runs.reduce((sum, run) => sum + run.requests, 0)).toBe(counted)
    expect(ledgerUsed).toBeGreaterThanOrEqual(used)
    expect(ledgerUsed - used).toBeLessThanOrEqual(kills * (100 + concurrency))

    recordPart("crashResume", {
      title: "Crash and resume: SIGKILL during a multi-window harvest by the CLI into every built-in sink, the API repeating records",
      lines: [
        `${kills} SIGKILLs at random points of the harvest (${mode} mode; short mode does 5, long mode 25), each followed by a resume with the same command; then a final run to completion`,
        `the API repeats a record of an earlier page on ${repeatRate * 100}% of pages (sandbox fault \`repeat\`)`,
        `${expected.length} videos over ${windows().length} windows: NDJSON, Parquet (${output.parquet.files} parts), Arrow IPC (${output.arrow.files} parts) and DuckDB each hold exactly the ground truth — none lost, none twice; every part readable`,
        `webhook (loopback receiver): every record received, ${resent} re-sent from epochs the kills left uncommitted`,
        `re-requests: ${used} video-query requests vs ${minimum} minimum, ${extra} extra for ${kills} kills (bound: ${2 * concurrency} per kill)`,
        `history: ${total(history.requests)} requests over ${history.runs.length} runs (${kills} killed), as many as the API received; quota ledger ${ledgerUsed} (the killed runs' unsent reserved units count as used)`,
        "records lost: 0"
      ],
      figures: { kills, records: expected.length, parquetFiles: output.parquet.files, arrowFiles: output.arrow.files, webhookResent: resent, requests: used, minimumRequests: minimum, extraRequests: extra, recordsLost: 0 }
    })
  })

  it(`survives ${interruptPoints} SIGINTs with exactly the ground truth in every sink`, async () => {
    const { stops: interrupts, output, ndjson, webhook } = await harvestWithStops("interrupted", "SIGINT", interruptPoints, 20261129)
    const expected = truth()
    expect(interrupts).toBe(interruptPoints)
    expect(sorted(ndjson)).toEqual(expected)
    expect(sorted(output.parquet.ids)).toEqual(expected)
    expect(sorted(output.arrow.ids)).toEqual(expected)
    expect(sorted(output.duckdb.ids)).toEqual(expected)
    // SIGINT commits what was sent; a POST cut short by the interruption is sent again.
    expect(sorted([...new Set(webhook)])).toEqual(expected)
    recordPart("interruptResume", {
      title: "Interrupt and resume: SIGINT during a multi-window harvest by the CLI into every built-in sink, the API repeating records",
      lines: [
        `${interrupts} SIGINTs at random points (${mode} mode), each followed by a resume with the same command; then a final run to completion`,
        `${expected.length} videos: NDJSON, Parquet, Arrow IPC and DuckDB each hold exactly the ground truth; the webhook received every record (${webhook.length - expected.length} re-sent)`
      ],
      figures: { interrupts, records: expected.length, webhookResent: webhook.length - expected.length, recordsLost: 0 }
    })
  })
})
