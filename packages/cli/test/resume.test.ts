import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readNdjson } from "./support/read-outputs.js"
import { collect, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()
const QUERY = "region_code IN (US, GB, CA, DE, FR, JP)"
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

/** A harvest long enough to stop in the middle: many small windows, frequent commits. */
const args = (from: string, to: string) => [
  "videos", "--query", QUERY, "--from", from, "--to", to, "--window-days", "3",
  "--out", "ndjson:./videos.ndjson", "--out", "duckdb:./research.duckdb", "--out", "parquet:./parquet",
  "--commit-every", "10", "--log-format", "json"
]

/** The interrupted run goes slowly (so it can be stopped mid-way), the resumed one at full speed. */
const slow = () => fixture.env({ TIKFLOW_RATE: "12" })

/** Starts the harvest and resolves once it has committed `epochs` checkpoints. */
const startAndWaitForCommits = async (cwd: string, argv: ReadonlyArray<string>, epochs: number) => {
  const child = spawnCli(argv, { cwd, env: slow() })
  const done = collect(child)
  await waitForOutput(child, new RegExp(`"type":"checkpoint"[^\\n]*"epoch":${epochs}\\b`))
  return { child, done }
}

const checkExactlyGroundTruth = async (dir: string, from: string, to: string) => {
  const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, from, to))
  const ndjson = readNdjson(join(dir, "videos.ndjson")).map((video) => video.id)
  expect(ndjson.length).toBe(expected.length)
  expect(sorted(ndjson)).toEqual(expected)
  const duck = await query(join(dir, "research.duckdb"), "SELECT id FROM videos")
  expect(sorted(duck.map((row) => row.id))).toEqual(expected)
  const parquet = await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "parquet")}/**/*.parquet')`)
  expect(parquet.length).toBe(expected.length)
  expect(sorted(parquet.map((row) => row.id))).toEqual(expected)
}

describe("resume", () => {
  it("after SIGKILL: the same command resumes from its checkpoint and delivers each record once", async () => {
    const dir = tempDir()
    const argv = args("2024-01-01", "2024-02-15")
    const { child, done } = await startAndWaitForCommits(dir, argv, 3)
    child.kill("SIGKILL")
    const killed = await done
    expect(killed.signal).toBe("SIGKILL")
    const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
    expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch \d+/)
    expect(resumed.code).toBe(0)
    await checkExactlyGroundTruth(dir, "2024-01-01", "2024-02-15")
  })

  it("after SIGINT: flushes, saves the checkpoint, says how to resume, exits 130; re-running completes", async () => {
    const dir = tempDir()
    const argv = args("2024-02-01", "2024-03-15")
    const { child, done } = await startAndWaitForCommits(dir, argv, 2)
    child.kill("SIGINT")
    const interrupted = await done
    expect(interrupted.code).toBe(130)
    expect(interrupted.stderr).toMatch(/interrupted: \d+ records of videos committed at epoch \d+; run the same command again to resume/)
    expect(readNdjson(join(dir, "videos.ndjson")).length).toBeGreaterThan(0)
    const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
    expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch [1-9]\d*/)
    expect(resumed.code).toBe(0)
    await checkExactlyGroundTruth(dir, "2024-02-01", "2024-03-15")
  })

  it("SIGINT while a webhook POST is in flight: that epoch stays uncommitted, exit 130 all the same, and the resumed run delivers every record", async () => {
    const dir = tempDir()
    // The receiver holds the first POST unanswered (so one is in flight when the SIGINT comes), then answers every one.
    let holding = true
    let heldArrived: () => void = () => undefined
    const held = new Promise<void>((resolve) => (heldArrived = resolve))
    const received: Array<string> = []
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        if (holding) return heldArrived()
        for (const record of (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { records: Array<{ id: unknown }> }).records) received.push(String(record.id))
        res.writeHead(200).end("ok")
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const argv = [
        "videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-20", "--window-days", "3",
        "--out", `webhook:http://127.0.0.1:${(server.address() as AddressInfo).port}/videos?unsigned=true`, "--commit-every", "10", "--log-format", "json"
      ]
      const child = spawnCli(argv, { cwd: dir, env: slow() })
      const done = collect(child)
      await held
      child.kill("SIGINT")
      const interrupted = await done
      expect(interrupted.code, interrupted.stderr).toBe(130)
      expect(interrupted.stderr).toMatch(/interrupted: .*not delivered before the run was cancelled; a resumed run sends them again; run the same command again to resume/)
      holding = false
      const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(sorted(new Set(received))).toEqual(sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-20")))
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it("after SIGTERM: exits 143, resumable", async () => {
    const dir = tempDir()
    const argv = args("2024-01-10", "2024-02-20")
    const { child, done } = await startAndWaitForCommits(dir, argv, 1)
    child.kill("SIGTERM")
    const terminated = await done
    expect(terminated.code).toBe(143)
    const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
    expect(resumed.code).toBe(0)
    await checkExactlyGroundTruth(dir, "2024-01-10", "2024-02-20")
  })

  it.each([
    {
      sink: "DuckDB alone (its commits pipelined with the next epoch's pages)",
      out: "duckdb:./research.duckdb",
      ids: (dir: string) => query(join(dir, "research.duckdb"), "SELECT id FROM videos")
    },
    {
      sink: "Parquet alone (its commits pipelined too, parts of 7 rows)",
      out: "parquet:./out?part_rows=7",
      ids: (dir: string) => query(":memory:", `SELECT id FROM read_parquet('${join(dir, "out")}/**/*.parquet')`)
    }
  ])("$sink: after SIGKILL, then SIGINT, the resumed run holds each record once", async ({ out, ids }) => {
    const dir = tempDir()
    const [from, to] = ["2024-03-01", "2024-04-15"]
    const argv = [
      "videos", "--query", QUERY, "--from", from, "--to", to, "--window-days", "3",
      "--out", out, "--commit-every", "10", "--log-format", "json"
    ]
    const killed = await startAndWaitForCommits(dir, argv, 3)
    killed.child.kill("SIGKILL")
    expect((await killed.done).signal).toBe("SIGKILL")
    const interrupted = await startAndWaitForCommits(dir, argv, 6)
    interrupted.child.kill("SIGINT")
    expect((await interrupted.done).code).toBe(130)
    const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
    expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch [1-9]\d*/)
    expect(resumed.code).toBe(0)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, from, to))
    const rows = await ids(dir)
    expect(rows.length).toBe(expected.length)
    expect(sorted(rows.map((row) => row.id))).toEqual(expected)
  })

  it("a checkpoint belongs to its outputs: the same harvest into other outputs starts from the beginning, and says so", async () => {
    const dir = tempDir()
    const harvest = (out: ReadonlyArray<string>) => [
      "videos", "--query", QUERY, "--from", "2024-01-05", "--to", "2024-02-20", "--window-days", "3",
      ...out.flatMap((uri) => ["--out", uri]), "--commit-every", "10", "--log-format", "json"
    ]
    const { child, done } = await startAndWaitForCommits(dir, harvest(["ndjson:./a.ndjson"]), 2)
    child.kill("SIGKILL")
    await done

    const other = await collect(spawnCli(harvest(["parquet:./b"]), { cwd: dir, env: fixture.env() }))
    expect(other.code).toBe(0)
    expect(other.stderr).toMatch(/starting harvest videos-[0-9a-f]+ from the beginning: outputs differ from the interrupted run into ndjson:\S*\/a\.ndjson/)
    expect(other.stderr).not.toMatch(/resuming harvest/)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-05", "2024-02-20"))
    const parquet = await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "b")}/**/*.parquet')`)
    expect(sorted(parquet.map((row) => row.id))).toEqual(expected)

    // The interrupted run's checkpoint went with it: its command starts over too, and ends exact.
    const again = await collect(spawnCli(harvest(["ndjson:./a.ndjson"]), { cwd: dir, env: fixture.env() }))
    expect(again.code).toBe(0)
    expect(again.stderr).not.toMatch(/resuming harvest/)
    expect(sorted(readNdjson(join(dir, "a.ndjson")).map((video) => video.id))).toEqual(expected)

    // Spelling the same outputs differently (another order, ./x vs x) is the same set: it resumes.
    const { child: third, done: thirdDone } = await startAndWaitForCommits(dir, harvest(["ndjson:./c.ndjson", "parquet:./d"]), 2)
    third.kill("SIGKILL")
    await thirdDone
    const resumed = await collect(spawnCli(harvest(["parquet:d", "ndjson:c.ndjson"]), { cwd: dir, env: fixture.env() }))
    expect(resumed.code).toBe(0)
    expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch [1-9]/)
  })

  it("--fresh forgets the checkpoint and starts over", async () => {
    const dir = tempDir()
    const argv = args("2024-03-01", "2024-03-30")
    const { child, done } = await startAndWaitForCommits(dir, argv, 1)
    child.kill("SIGKILL")
    await done
    const fresh = await collect(spawnCli([...argv, "--fresh"], { cwd: dir, env: fixture.env() }))
    expect(fresh.code).toBe(0)
    expect(fresh.stderr).not.toMatch(/resuming/)
    expect(readFileSync(join(dir, "videos.ndjson"), "utf8")).not.toBe("")
  })
})
