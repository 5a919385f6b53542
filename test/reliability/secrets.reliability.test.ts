import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { request as httpRequest, createServer } from "node:http"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCli } from "./support/cli.js"
import { recordPart } from "./support/last-run.js"
import { mode } from "./support/mode.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { Sandbox } from "./support/sandbox.js"

const SECRET = "tikflow-S3CRET-9f8e7d6c5b4a-do-not-leak"
const WRONG_SECRET = "tikflow-WR0NG-1a2b3c4d5e6f-do-not-leak"

/**
 * A pass-through proxy in front of the sandbox that notes every access token it hands out (the
 * sandbox counts tokens but does not expose them).
 */
const startTokenProxy = async (target: string, tokens: Set<string>): Promise<{ server: Server; url: string }> => {
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const chunks: Array<Buffer> = []
      answer.on("data", (d: Buffer) => chunks.push(d))
      answer.on("end", () => {
        const body = Buffer.concat(chunks)
        if (req.url?.startsWith("/v2/oauth/token")) {
          const token = /"access_token"\s*:\s*"([^"]+)"/.exec(body.toString())?.[1]
          if (token) tokens.add(token)
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers).end(body)
      })
      answer.on("error", () => res.destroy())
    })
    forward.on("error", () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe(`secrets never leak (${mode})`, () => {
  let sandbox: Sandbox
  let proxy: { server: Server; url: string }
  let dir: string
  const tokens = new Set<string>()
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({
      seed: 5,
      world: { users: 30, videos: 3_000, days: 30, startDate: "2024-01-01", maxFollowers: 300 },
      quotaPerDay: 1e9,
      credentials: { clientKey: "tikflow-test-key", clientSecret: SECRET },
      // Short-lived and revoked tokens: several are issued and refreshed during the run.
      tokenLifetimeSeconds: 3,
      faults: { tokenExpiry: 0.05, serverError: 0.03, malformed: 0.02, rateLimit: 0.02, retryAfterSeconds: 0 }
    })
    proxy = await startTokenProxy(sandbox.url, tokens)
    dir = mkdtempSync(join(tmpdir(), "tikflow-secrets-"))
  })
  afterAll(async () => {
    proxy?.server.closeAllConnections()
    proxy?.server.close()
    await sandbox?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it("no log line, error, output file, dead letter or state file contains the client secret or an access token", async () => {
    mkdirSync(join(dir, "out"))
    writeFileSync(join(dir, "query.json"), JSON.stringify({ and: [{ field_name: "create_date", operation: "GTE", field_values: ["20000101"] }] }))
    const common = ["--base-url", proxy.url, "--state", "./state", "--rate", "20", "--daily-quota", "1000000", "--commit-every", "500"]
    const env = { TIKTOK_CLIENT_KEY: "tikflow-test-key", TIKTOK_CLIENT_SECRET: SECRET }
    const runs = [
      // Videos into every kind of output, a webhook that always fails (dead letters) included.
      ["videos", "--query-file", "query.json", "--from", "2024-01-01", "--to", "2024-01-30", "--window-days", "10",
        "--out", "parquet:./out/parquet", "--out", "duckdb:./out/harvest.duckdb", "--out", "ndjson:./out/videos.ndjson",
        "--out", "webhook:http://127.0.0.1:9/hook?unsigned=true&retries=0&dead_letter=./out/dead-letter&dead_letter_ok=true",
        "--log-format", "json", ...common],
      ["user-info", "--username", "user_00001,user_00002,user_00003", "--out", "duckdb:./out/harvest.duckdb", "--log-format", "text", ...common],
      ["followers", "--username", "user_00001,user_00002", "--out", "ndjson:-", "--log-format", "json", ...common]
    ]
    const logs: Array<string> = []
    const exits: Array<number | null> = []
    for (const args of runs) {
      const exit = await startCli(args, { cwd: dir, env }).exited
      logs.push(exit.stdout, exit.stderr)
      exits.push(exit.code)
    }
    // A refused secret: the error path.
    const refused = await startCli(["videos", "--query-file", "query.json", "--from", "2024-01-01", "--to", "2024-01-02", "--out", "ndjson:./out/refused.ndjson", ...common], {
      cwd: dir,
      env: { ...env, TIKTOK_CLIENT_SECRET: WRONG_SECRET }
    }).exited
    logs.push(refused.stdout, refused.stderr)

    expect(exits, logs.join("\n").slice(-3000)).toEqual([0, 0, 0])
    expect(refused.code, refused.stderr).toBe(3)
    expect(tokens.size).toBeGreaterThan(1)

    const dumped = lastJson<{ files: ReadonlyArray<string>; text: string }>(await runNode(scriptPath("dump-text.mjs"), { root: dir }))
    const haystack = [...logs, dumped.text].join("\n")
    const needles = [SECRET, WRONG_SECRET, ...tokens]
    const leaks = needles.filter((needle) => haystack.includes(needle)).map((n) => (n === SECRET || n === WRONG_SECRET ? "client secret" : `access token ${n.slice(0, 8)}…`))
    // The searches can find: the harvest really wrote data and logs.
    expect(dumped.files.some((f) => f.endsWith(".parquet"))).toBe(true)
    expect(dumped.files.some((f) => f.includes("dead-letter"))).toBe(true)
    expect(haystack).toContain("user_00001")
    expect(leaks).toEqual([])

    recordPart("secrets", {
      title: "Secrets",
      lines: [
        `${runs.length} CLI harvests (videos into Parquet, DuckDB, NDJSON and a failing webhook with dead letters; user info; followers to stdout) plus one run with a refused secret (exit 3)`,
        `searched ${logs.filter(Boolean).length} log streams (text and JSON) and ${dumped.files.length} files (Parquet and DuckDB read back row by row, NDJSON, dead letters, checkpoints, quota ledger, dedupe state) for the client secret, the refused secret and all ${tokens.size} access tokens the sandbox issued (captured by a proxy): 0 found`
      ],
      figures: { runs: runs.length + 1, files: dumped.files.length, tokens: tokens.size, leaks: leaks.length }
    })
  })
})
