import { createServer } from "node:http"
import type { AddressInfo, Server } from "node:net"
import { afterAll, beforeAll } from "vitest"

export interface FakeVideoApi {
  readonly url: string
  /** Video query requests per cursor. */
  readonly requests: Map<number, number>
  close(): Promise<void>
}

/**
 * A loopback Research API of one endpoint, the video query: any token is granted, and each query
 * is answered with `pageJson(cursor, fields asked)` as it is (the body text verbatim, so a test can
 * send what `JSON.stringify` never writes: `1e20`, `\ud800`); a promise of it holds the answer until it resolves.
 */
export const startFakeVideoApi = async (pageJson: (cursor: number, fields: ReadonlySet<string>) => string | Promise<string>): Promise<FakeVideoApi> => {
  const requests = new Map<number, number>()
  const server: Server = createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => (body += chunk))
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://x")
      response.setHeader("content-type", "application/json")
      if (url.pathname === "/v2/oauth/token/") {
        response.end(JSON.stringify({ access_token: "token", expires_in: 7200, token_type: "Bearer" }))
        return
      }
      if (url.pathname !== "/v2/research/video/query/") {
        response.writeHead(404).end("{}")
        return
      }
      const cursor = Number((JSON.parse(body) as { cursor?: number }).cursor ?? 0)
      requests.set(cursor, (requests.get(cursor) ?? 0) + 1)
      void Promise.resolve(pageJson(cursor, new Set((url.searchParams.get("fields") ?? "").split(",")))).then((text) => response.end(text))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/**
 * The file's (or the enclosing `describe`'s) fake API, started before its tests and closed after
 * them: its requests, and the environment that points the CLI at it with credentials.
 */
export const useFakeVideoApi = (pageJson: (cursor: number, fields: ReadonlySet<string>) => string | Promise<string>) => {
  let api: FakeVideoApi | undefined
  beforeAll(async () => {
    api = await startFakeVideoApi(pageJson)
  })
  afterAll(() => api?.close())
  return {
    get requests() {
      return api!.requests
    },
    env: () => ({ TIKFLOW_BASE_URL: api!.url, TIKTOK_CLIENT_KEY: "key", TIKTOK_CLIENT_SECRET: "secret", TIKFLOW_RATE: "200" })
  }
}
