import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCli } from "./support/cli.js"
import { bySize, mode } from "./support/mode.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { FaultOptions, Sandbox } from "./support/sandbox.js"

// Replay = the harvest, over fault schedules: a video query harvested into NDJSON, DuckDB and
// Parquet under drawn faults (repeats, short and empty pages, 5xx, resets, malformed bodies, stale
// searches), SIGKILLed at drawn moments and re-run until complete; then `tikflow replay` from its
// archive into fresh outputs with the API unreachable gives the same rows, provenance included.
const runs = bySize(4, 16)

const faultsArb: fc.Arbitrary<FaultOptions> = fc.record({
  repeat: fc.double({ min: 0, max: 0.4, noNaN: true }),
  shortPage: fc.double({ min: 0, max: 0.2, noNaN: true }),
  emptyPage: fc.double({ min: 0, max: 0.1, noNaN: true }),
  serverError: fc.double({ min: 0, max: 0.08, noNaN: true }),
  reset: fc.double({ min: 0, max: 0.05, noNaN: true }),
  malformed: fc.double({ min: 0, max: 0.05, noNaN: true }),
  searchIdInvalid: fc.double({ min: 0, max: 0.05, noNaN: true })
})

const outs = (prefix: string) => ["--out", `ndjson:./${prefix}.ndjson`, "--out", `duckdb:./${prefix}.duckdb`, "--out", `parquet:./${prefix}-parquet`]

describe(`replay equals the harvest over fault schedules and crashes (${mode})`, () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({ seed: 17, world: { videos: 3_000, days: 60, startDate: "2024-01-01" }, quotaPerDay: 1e9 })
  })
  afterAll(() => sandbox?.stop())

  it("replay output == original output", async () => {
    await fc.assert(
      fc.asyncProperty(
        faultsArb,
        fc.array(fc.integer({ min: 100, max: 2_500 }), { maxLength: 3 }),
        fc.integer({ min: 5, max: 200 }),
        fc.constantFrom(2, 5, 15),
        async (faults, killsAfterMs, commitEvery, windowDays) => {
          const dir = mkdtempSync(join(tmpdir(), "tikflow-replay-"))
          try {
            sandbox.setFaults({ ...faults, retryAfterSeconds: 0 })
            const env = { TIKFLOW_BASE_URL: sandbox.url, TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey, TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret }
            const harvest = [
              "videos", "--query", "region_code IN (US, GB, FR, JP)", "--from", "2024-01-01", "--to", "2024-02-25",
              "--window-days", String(windowDays), ...outs("harvest"), "--commit-every", String(commitEvery), "--rate", "40", "--json"
            ]
            for (const delay of killsAfterMs) {
              const cli = startCli(harvest, { cwd: dir, env })
              await cli.started
              await new Promise((resolve) => setTimeout(resolve, delay))
              cli.child.kill("SIGKILL")
              await cli.exited
            }
            const done = await startCli(harvest, { cwd: dir, env }).exited
            expect(done.code, done.stderr.slice(-2000)).toBe(0)

            sandbox.setFaults({})
            const before = Object.values(sandbox.stats.requests).reduce((a, b) => a + b, 0)
            const replay = await startCli(["replay", ...outs("replay")], {
              cwd: dir,
              env: { TIKFLOW_BASE_URL: "http://127.0.0.1:9", TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined }
            }).exited
            expect(replay.code, replay.stderr).toBe(0)
            expect(Object.values(sandbox.stats.requests).reduce((a, b) => a + b, 0)).toBe(before)

            expect(readFileSync(join(dir, "replay.ndjson"), "utf8")).toBe(readFileSync(join(dir, "harvest.ndjson"), "utf8"))
            const rows = async (prefix: string) =>
              lastJson<{ duckdb: Array<string>; parquet: Array<string> }>(
                await runNode(scriptPath("dump-rows.mjs"), { duckdb: join(dir, `${prefix}.duckdb`), table: "videos", parquetDir: join(dir, `${prefix}-parquet`), key: "id" })
              )
            const original = await rows("harvest")
            expect(original.duckdb.length).toBeGreaterThan(0)
            expect(await rows("replay")).toEqual(original)
          } finally {
            rmSync(dir, { recursive: true, force: true })
          }
        }
      ),
      { numRuns: runs }
    )
  })
})
