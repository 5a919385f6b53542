import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { ChildProcess } from "node:child_process"
import { describe, expect, it } from "vitest"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { runsJson } from "./support/history-sandbox.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// Faults that each cost one retry of a known kind (no long backoffs), so errors by kind are countable.
const fixture = useSandbox({ faults: { serverError: 0.08, reset: 0.04 } })

const researchRequests = (): number =>
  Object.entries(fixture.sandbox.stats.requests).reduce((sum, [endpoint, n]) => (endpoint === "oauth/token" ? sum : sum + n), 0)

interface Shown {
  readonly status: string
  readonly records: number
  readonly requests: Record<string, number>
  readonly errors: Record<string, number>
  readonly coverage: { readonly items: Record<string, { readonly refused?: boolean }> }
  readonly runs: ReadonlyArray<{ readonly status: string; readonly requests: number; readonly records: number; readonly finishedAt: string | null }>
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

/** Retry kinds the CLI's JSON log says it met (stderr is written synchronously to a pipe: a SIGKILL loses none of it). */
const retriesInLog = (stderr: string): Record<string, number> => {
  const kinds: Record<string, number> = {}
  for (const line of stderr.split("\n")) {
    if (!line.includes('"retry"')) continue
    const event = (JSON.parse(line) as { event?: { type?: string; kind?: string } }).event
    if (event?.type === "retry") kinds[event.kind!] = (kinds[event.kind!] ?? 0) + 1
  }
  return kinds
}

/** The report page's requests per day and errors by kind, as its bars are drawn. */
const reportData = async (dir: string) => {
  const result = await runCli(["report", "--out", "report.html"], { cwd: dir })
  expect(result.code, result.stderr).toBe(0)
  const page = readFileSync(join(dir, "report.html"), "utf8")
  const bars = (chart: string, key: string): Record<string, number> => {
    const from = page.indexOf(`data-chart="${chart}"`)
    if (from < 0) throw new Error(`the report has no ${chart} chart`)
    const svg = page.slice(from, page.indexOf("</svg>", from))
    const bar = new RegExp(`<rect class="bar[^"]*" data-${key}="([^"]+)" data-value="(\\d+)"`, "g")
    return Object.fromEntries([...svg.matchAll(bar)].map((m) => [m[1], Number(m[2])]))
  }
  return { requests: bars("requests", "day"), errors: page.includes('<p class="none" data-chart="errors">') ? {} : bars("errors", "kind") }
}

/** Kills `child` with SIGKILL once it committed an epoch and sent `after` more requests. */
const killMidRun = async (child: ChildProcess, after: number) => {
  const done = collect(child)
  await waitForOutput(child, /"type":"checkpoint"/)
  let seen = 0
  await new Promise<void>((resolve) => {
    child.stderr!.on("data", (chunk: Buffer | string) => {
      seen += String(chunk).split('"type":"request"').length - 1
      if (seen >= after) resolve()
    })
  })
  child.kill("SIGKILL")
  const killed = await done
  expect(killed.signal).toBe("SIGKILL")
  return killed
}

const today = () => new Date().toISOString().slice(0, 10)

describe("harvest history: a run killed with SIGKILL", () => {
  it("keeps every request it sent and every error it met: runs, runs show and the report count what the API received", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const ledger = join(dir, "ledger.json")
    const env = fixture.env({ TIKFLOW_RATE: "20", TIKFLOW_QUOTA_LEDGER: ledger })
    const args = [
      "videos", "--query", "region_code IN (US, CA)", "--from", "2024-01-01", "--to", "2024-03-30", "--window-days", "3",
      "--out", "parquet:./pq", "--commit-every", "20", "--log-format", "json"
    ]
    const before = researchRequests()
    const killed = await killMidRun(spawnCli(args, { cwd: dir, env }), 4)
    const receivedFromKilled = researchRequests() - before
    expect(readdirSync(join(dir, ".tikflow", "run-journals"))).toHaveLength(1)

    const [listed] = await runsJson(dir) as Array<{ id: string; requests: number; status: string }>
    // Every request the API received is counted. One handed to the transport when the kill came counts
    // as sent (as in the quota ledger) though its bytes may not have left: at most one per request in
    // flight (--concurrency, default 4) above what the API received.
    expect(listed.requests).toBeGreaterThanOrEqual(receivedFromKilled)
    expect(listed.requests - receivedFromKilled).toBeLessThanOrEqual(4)
    const sentByKilled = listed.requests
    // `runs` settled the killed run from its journal, once.
    expect(readdirSync(join(dir, ".tikflow", "run-journals"))).toHaveLength(0)
    const shown = await runsJson(dir, "show", listed.id) as Shown
    expect(shown.status).toBe("stopped")
    expect(shown.runs.map((run) => run.status)).toEqual(["killed"])
    expect(shown.runs[0].requests).toBe(sentByKilled)
    expect(shown.runs[0].finishedAt).not.toBeNull()
    expect(shown.requests).toEqual({ [today()]: sentByKilled })
    expect(shown.errors).toEqual(retriesInLog(killed.stderr))
    expect(await reportData(dir)).toEqual({ requests: { [today()]: sentByKilled }, errors: shown.errors })

    // The killed run's day in the quota ledger: at most its reserved block above (unsent units stay counted as used).
    const ledgerUsed = async (runEnv: Record<string, string | undefined>) =>
      (JSON.parse((await runCli(["quota", "--quota-ledger", ledger, "--log-format", "json"], { cwd: dir, env: runEnv })).stdout) as { used: number }).used
    const usedToday = await ledgerUsed(env)
    expect(usedToday - receivedFromKilled).toBeGreaterThanOrEqual(0)
    expect(usedToday - receivedFromKilled).toBeLessThan(10)

    // Resumed the next UTC day (the CLI's clock a day ahead): its requests count on that day.
    const nextDay = { ...env, TIKFLOW_CLOCK_OFFSET_MS: String(86_400_000) }
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const resumed = await runCli(args, { cwd: dir, env: nextDay })
    expect(resumed.code, resumed.stderr).toBe(0)
    const sentByResumed = researchRequests() - before - receivedFromKilled
    const after = await runsJson(dir, "show", listed.id) as Shown
    expect(after.runs.map((run) => [run.status, run.requests])).toEqual([["killed", sentByKilled], ["complete", sentByResumed]])
    expect(after.requests).toEqual({ [today()]: sentByKilled, [tomorrow]: sentByResumed })
    const retries = retriesInLog(killed.stderr + resumed.stderr)
    expect(after.errors).toEqual(retries)
    // The errors met are the faults the sandbox injected (one retry each), but for an answer the kill left unread.
    const injected = fixture.sandbox.stats.faults
    expect(sum(retries)).toBeGreaterThan(0)
    expect(sum(retries)).toBeLessThanOrEqual(injected.serverError + injected.reset)
    expect(await reportData(dir)).toEqual({ requests: { [today()]: sentByKilled, [tomorrow]: sentByResumed }, errors: retries })
    // The quota ledger (it keeps one day) counts the run that ended exactly.
    expect(await ledgerUsed(nextDay)).toBe(sentByResumed)
  })
})

describe("harvest history: a fan-out's items are covered as they finish", () => {
  const videoIds = () =>
    Array.from({ length: 60 }, (_, i) => String(fixture.sandbox.world.videos.video(i * 7).id))
      .filter((id) => fixture.sandbox.groundTruth.comments(id).length > 0)
      .slice(0, 16)
  const commentIdsOf = (ids: ReadonlyArray<string>) => ids.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((c) => String(c.id)))
  const written = (dir: string) => new Set(readFileSync(join(dir, "c.ndjson"), "utf8").split("\n").filter(Boolean).map((line) => String((JSON.parse(line) as { id: unknown }).id)))

  it("a run stopped at --max-records, then one killed: each run's history shows the items it finished, whose comments are all in the sink", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const ids = videoIds()
    const env = fixture.env({ TIKFLOW_RATE: "20" })
    const args = ["comments", "--video-id", ids.join(","), "--out", "ndjson:./c.ndjson", "--commit-every", "20", "--log-format", "json"]
    const stopped = await runCli([...args, "--max-records", "60"], { cwd: dir, env })
    expect(stopped.code, stopped.stderr).toBe(6)
    const [listed] = await runsJson(dir) as Array<{ id: string; coverage: { items: number } }>
    const afterStop = await runsJson(dir, "show", listed.id) as Shown
    const coveredAtStop = Object.keys(afterStop.coverage.items)
    expect(coveredAtStop.length).toBeGreaterThan(0)
    expect(coveredAtStop.length).toBeLessThan(ids.length)
    expect(listed.coverage.items).toBe(coveredAtStop.length)
    // In list order, and only items whose every comment the sink holds.
    expect(coveredAtStop).toEqual(ids.slice(0, coveredAtStop.length))
    const inSink = written(dir)
    expect(commentIdsOf(coveredAtStop).every((id) => inSink.has(id))).toBe(true)
    expect(afterStop.records).toBe(inSink.size)
    expect(afterStop.runs.map((run) => [run.status, run.records])).toEqual([["stopped", inSink.size]])

    // Killed once its history covers more items than the stopped run's (read from the file, as it is written).
    const child = spawnCli(args, { cwd: dir, env })
    const ending = collect(child)
    const historyFile = join(dir, ".tikflow", "history", `${listed.id}.json`)
    const covered = () => Object.keys((JSON.parse(readFileSync(historyFile, "utf8")) as Shown).coverage.items).length
    while (covered() <= coveredAtStop.length && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20))
    child.kill("SIGKILL")
    expect((await ending).signal).toBe("SIGKILL")
    const afterKill = await runsJson(dir, "show", listed.id) as Shown
    const coveredAtKill = Object.keys(afterKill.coverage.items)
    expect(coveredAtKill.length).toBeGreaterThan(coveredAtStop.length)
    expect(coveredAtKill).toEqual(ids.slice(0, coveredAtKill.length))
    expect(afterKill.runs.map((run) => run.status)).toEqual(["stopped", "killed"])

    const finished = await runCli(args, { cwd: dir, env })
    expect(finished.code, finished.stderr).toBe(0)
    const done = await runsJson(dir, "show", listed.id) as Shown & { coverage: { items: Record<string, { fetchedAt: string }> } }
    expect(Object.keys(done.coverage.items).sort()).toEqual([...ids].sort())
    // Items covered by an earlier run keep when they were fetched.
    expect(done.coverage.items[ids[0]].fetchedAt).toBe((afterStop.coverage.items[ids[0]] as { fetchedAt: string }).fetchedAt)
    expect(done.records).toBe(commentIdsOf(ids).length)
    expect(done.runs.map((run) => run.status)).toEqual(["stopped", "killed", "complete"])
    // Each run's records are what it committed: together, the harvest's.
    expect(sum(Object.fromEntries(done.runs.map((run, i) => [i, run.records])))).toBe(done.records)
  })
})
