import { readdirSync } from "node:fs"
import { join } from "node:path"
import { expect } from "vitest"
import { query } from "./read-outputs.js"
import { runCli } from "./run-cli.js"
import type { SandboxOptions } from "@tikflow/sandbox"
import { useSandbox } from "./sandbox.js"

export const QUERY = "region_code IN (US, CA)"
export const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

/**
 * A sandbox for the harvest-history tests: no faults, so a harvest's request count is a function of
 * what it fetches and two harvests of the same days compare request for request; the API's 48 h data
 * lag on; its clock, and the CLI's, at `clock.now` (set it before a run).
 */
export const useHistorySandbox = (options: Pick<SandboxOptions, "growingCounts" | "world"> = {}) => {
  const clock = { now: Date.now() }
  const fixture = useSandbox({ faults: {}, dataLagHours: 48, clock: () => clock.now, ...options })
  /** Research requests the sandbox answered so far (tokens excluded). */
  const researchRequests = (): number =>
    Object.entries(fixture.sandbox.stats.requests).reduce((sum, [endpoint, n]) => (endpoint === "oauth/token" ? sum : sum + n), 0)
  /** Runs the CLI on the sandbox's clock and returns its result with the research requests it sent. */
  const harvest = async (args: ReadonlyArray<string>, dir: string, env: Record<string, string> = {}) => {
    const before = researchRequests()
    const result = await runCli(args, { cwd: dir, env: fixture.env({ ...env, TIKFLOW_CLOCK_OFFSET_MS: String(clock.now - Date.now()) }) })
    return { ...result, requests: researchRequests() - before }
  }
  return { fixture, clock, harvest }
}

export const videos = (from: string, to: string, ...outs: Array<string>) =>
  ["videos", "--query", QUERY, "--from", from, "--to", to, ...outs.flatMap((out) => ["--out", out])]

export const parquetIds = async (dir: string) =>
  sorted((await query(":memory:", `SELECT id FROM read_parquet('${dir}/**/*.parquet')`)).map((row) => row.id))

/** `tikflow runs [args] --json`, parsed. */
export const runsJson = async (dir: string, ...args: Array<string>) => {
  const result = await runCli(["runs", ...args, "--json"], { cwd: dir })
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as unknown
}

/** The epochs of the Parquet part files under `dir`. */
export const partEpochs = (dir: string): Array<number> => {
  const epochs: Array<number> = []
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name))
      else {
        const match = /-e(\d{10})-/.exec(entry.name)
        if (match) epochs.push(Number(match[1]))
      }
    }
  }
  walk(dir)
  return epochs
}
