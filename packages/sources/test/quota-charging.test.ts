import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FileQuotaStore, utcDay } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { createTikTokClient, type TikTokClientHandle } from "@tikflow/sources/internal"
import { fastRetry, startSmallSandbox } from "./support/harvest-kit.js"

/**
 * A request is charged to the quota only when it was sent: it reached the server (we got a
 * response, or a connection was made and the request written). No connection, no charge.
 */
let dir: string
let sandbox: Sandbox
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tikflow-quota-charging-"))
  sandbox = await startSmallSandbox({ seed: 5 })
})
afterAll(async () => {
  await sandbox.stop()
  await rm(dir, { recursive: true, force: true })
})

const credentials = { clientKey: "key", clientSecret: "secret" }
const query = { query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }, start_date: "20240101", end_date: "20240102", max_count: 10 }
const today = () => utcDay(Date.now())
let ledgers = 0

const clientAt = (baseUrl: string, creds = credentials): { client: TikTokClientHandle; ledger: string } => {
  const ledger = join(dir, `ledger-${ledgers++}.json`)
  const client = createTikTokClient({
    baseUrl,
    credentials: creds,
    rate: 10_000,
    retry: fastRetry,
    timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 },
    quota: { limit: 1000, ledgerPath: ledger }
  })
  return { client, ledger }
}

const callVideos = (client: TikTokClientHandle) =>
  Effect.runPromiseExit(client.service.call({ endpoint: "/v2/research/video/query/", fields: ["id"], body: query }))

/** A port nothing listens on: bound, then closed. */
const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const sendToken = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json", connection: "close" })
  res.end(JSON.stringify({ access_token: "t", expires_in: 7200, token_type: "Bearer" }))
}

describe("charging the quota only for requests that were sent", () => {
  it("a closed port (connection refused, retried): nothing reaches the API, nothing is charged", async () => {
    const { client, ledger } = clientAt(`http://127.0.0.1:${await closedPort()}`)
    const exit = await callVideos(client)
    await client.close()
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("NetworkError")
    expect(await new FileQuotaStore(ledger).read(today())).toMatchObject({ used: 0, reserved: 0 })
  })

  it("the token came, then the API's port closed: the refused research requests are not charged", async () => {
    let apiRequests = 0
    const { server, url } = await listen((req, res) => {
      if (req.url?.startsWith("/v2/oauth/token")) {
        sendToken(res)
        // From now on nothing listens: every research request is refused at connect.
        server.close()
      } else {
        apiRequests++
        res.writeHead(500).end()
      }
    })
    const { client, ledger } = clientAt(url)
    const exit = await callVideos(client)
    await client.close()
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("ECONNREFUSED")
    expect(apiRequests).toBe(0)
    expect(await new FileQuotaStore(ledger).read(today())).toMatchObject({ used: 0, reserved: 0 })
  })

  it("a connection reset after the request was written is charged, once per attempt that reached the server", async () => {
    let apiRequests = 0
    const { server, url } = await listen((req, res) => {
      if (req.url?.startsWith("/v2/oauth/token")) return sendToken(res)
      apiRequests++
      req.resume()
      req.on("end", () => req.socket.destroy())
    })
    const { client, ledger } = clientAt(url)
    const exit = await callVideos(client)
    await client.close()
    server.close()
    expect(Exit.isFailure(exit)).toBe(true)
    expect(apiRequests).toBeGreaterThan(1)
    expect(await new FileQuotaStore(ledger).read(today())).toMatchObject({ used: apiRequests, reserved: 0 })
  })

  it("a real loopback API: every request it answered is charged, and nothing more", async () => {
    const { client, ledger } = clientAt(sandbox.url, sandbox.credentials)
    const before = sandbox.stats.requests["video/query"]
    for (let i = 0; i < 3; i++) expect(Exit.isSuccess(await callVideos(client))).toBe(true)
    await client.close()
    const answered = sandbox.stats.requests["video/query"] - before
    expect(answered).toBeGreaterThanOrEqual(3)
    expect(await new FileQuotaStore(ledger).read(today())).toMatchObject({ used: answered, reserved: 0 })
  })
})
