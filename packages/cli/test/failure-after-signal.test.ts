import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo, Server } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { runsJson } from "./support/history-sandbox.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { tempDir } from "./support/temp-dir.js"

// A failure that reaches the CLI after SIGINT: its exit code and the run's status in the history
// follow one rule. A failure a re-run gets past is part of the interruption (130, "interrupted");
// one it cannot get past stays a failure (1, "failed"), so nobody is told to resume into it.
// The sink's flush is held until the signal, so the SIGINT lands while the run commits what it has
// — after the source failed (page 2), or at the end of a good source.

const VIDEO_QUERY = "/v2/research/video/query/"
const ids = ["7320000000000000001", "7320000000000000002", "7320000000000000003", "7320000000000000004"]

const videoJson = (id: string, likeCount: string) =>
  `{"id":${id},"create_time":1704100000,"username":"u${id.slice(-1)}","video_duration":15.2,"like_count":${likeCount}}`
const pageJson = (videos: ReadonlyArray<string>, hasMore: boolean) =>
  `{"data":{"videos":[${videos.join(",")}],"cursor":${hasMore ? 2 : 4},"has_more":${hasMore},"search_id":"s1"},` +
  `"error":{"code":"ok","message":"","log_id":"L"}}`

/** What the second page is: good, a count no sink can store, or a 429 asking to wait a day. */
type SecondPage = "good" | "unstorable" | "wait-a-day"

const startFakeApi = async () => {
  const api = { second: "good" as SecondPage, url: "", close: async () => undefined as void }
  const server: Server = createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => (body += chunk))
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://x").pathname
      response.setHeader("content-type", "application/json")
      if (path === "/v2/oauth/token/") return response.end(JSON.stringify({ access_token: "token", expires_in: 7200, token_type: "Bearer" }))
      if (path !== VIDEO_QUERY) return response.writeHead(404).end("{}")
      if (Number((JSON.parse(body) as { cursor?: number }).cursor ?? 0) === 0) return response.end(pageJson([videoJson(ids[0], "10"), videoJson(ids[1], "20")], true))
      if (api.second === "wait-a-day") {
        return response.writeHead(429, { "retry-after": "86400" }).end('{"error":{"code":"rate_limit_exceeded","message":"slow down","log_id":"L"}}')
      }
      response.end(pageJson([videoJson(ids[2], "30"), videoJson(ids[3], api.second === "unstorable" ? "1e20" : "40")], false))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return api
}

let api: Awaited<ReturnType<typeof startFakeApi>>
beforeAll(async () => {
  api = await startFakeApi()
})
afterAll(() => api.close())

const env = () => ({ TIKFLOW_BASE_URL: api.url, TIKTOK_CLIENT_KEY: "key", TIKTOK_CLIENT_SECRET: "secret", TIKFLOW_RATE: "200" })
const args = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01", "--out", "held:./held.jsonl?label=x"]

/** Runs the harvest with the sink's flush held and sends SIGINT once it is. */
const interruptedRun = async (second: SecondPage, then: "then-flush" | "then-fail") => {
  api.second = second
  const dir = tempDir()
  installFakePlugin(dir, "held", { holdFlush: then })
  const child = spawnCli(args, { cwd: dir, env: env() })
  const done = collect(child)
  await waitForOutput(child, /held: flush held/)
  child.kill("SIGINT")
  return { dir, result: await done }
}

/** The status of the harvest's (only) run in its history. */
const runStatus = async (dir: string): Promise<string> => {
  const [listed] = await runsJson(dir) as Array<{ id: string }>
  const shown = await runsJson(dir, "show", listed.id) as { runs: ReadonlyArray<{ status: string }> }
  expect(shown.runs).toHaveLength(1)
  return shown.runs[0].status
}

const delivered = (dir: string) => readFileSync(join(dir, "held.jsonl"), "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { record: { id: string } }).record.id)

describe("a failure after SIGINT: exit code and history follow one rule", () => {
  it("a sink's flush cut short by the signal: exit 130, run interrupted", async () => {
    const { dir, result } = await interruptedRun("good", "then-fail")
    expect(result.code, result.stderr).toBe(130)
    expect(result.stderr).toMatch(/interrupted: sink .*cut short by the signal; run the same command again to resume/)
    expect(await runStatus(dir)).toBe("interrupted")
  })

  it("a source failure a re-run gets past (a 429 asking to wait a day): exit 130, run interrupted; the re-run resumes and completes", async () => {
    const { dir, result } = await interruptedRun("wait-a-day", "then-flush")
    expect(result.code, result.stderr).toBe(130)
    expect(result.stderr).toMatch(/interrupted: UnusableResponseError \(\S+\): HTTP 429 asks to wait 86400 s.*; run the same command again to resume/)
    expect(result.stderr).not.toMatch(/^error/m)
    expect(await runStatus(dir)).toBe("interrupted")
    // The first page was committed while the signal was handled: the re-run fetches the rest.
    expect(delivered(dir)).toEqual(ids.slice(0, 2))
    api.second = "good"
    installFakePlugin(dir, "held")
    const resumed = await runCli(args, { cwd: dir, env: env() })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(delivered(dir)).toEqual(ids)
  })

  it("a failure a re-run cannot get past (a value no sink can store): exit 1 without resume advice, run failed", async () => {
    const { dir, result } = await interruptedRun("unstorable", "then-flush")
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toContain("the API sent a value tikflow cannot store")
    expect(result.stderr).not.toContain("run the same command again to resume")
    expect(await runStatus(dir)).toBe("failed")
  })

  it.each(["wait-a-day", "unstorable"] as const)("without a signal, the same failure (%s): exit 1, run failed", async (second) => {
    api.second = second
    const dir = tempDir()
    installFakePlugin(dir, "held")
    const result = await runCli(args, { cwd: dir, env: env() })
    expect(result.code, result.stderr).toBe(1)
    expect(await runStatus(dir)).toBe("failed")
  })
})
