import { afterEach, describe, expect, it } from "vitest"
import { HttpTransport, RequestAbort, TransportFailure } from "@tikflow/sources/internal"
import type { Answer } from "./support/hostile-server.js"
import { startHostileServer } from "./support/hostile-server.js"

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const transportAgainst = async (answer: Answer) => {
  const server = await startHostileServer(answer)
  closers.push(server.close)
  const transport = new HttpTransport({ baseUrl: server.url, requestTimeoutMs: 60_000 })
  closers.unshift(() => transport.destroy())
  return { server, transport }
}

const post = (transport: HttpTransport, signal?: AbortSignal | RequestAbort) =>
  transport.post("/v2/research/video/query/", { headers: { "content-type": "application/json" }, body: "{}" }, signal)

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe("HttpTransport", () => {
  it("reads a body sent in many small pieces byte for byte", async () => {
    const text = `{"data":{"videos":[${Array.from({ length: 300 }, (_, i) => `{"id":${7e18 + i * 1000},"d":"é🎉 ${i}"}`).join(",")}]}}`
    const bytes = Buffer.from(text)
    const { transport } = await transportAgainst((_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      let at = 0
      const drip = () => {
        if (at >= bytes.length) return void res.end()
        // Pieces that split multi-byte characters: the text is decoded once, from all the bytes.
        res.write(bytes.subarray(at, at += 7))
        setImmediate(drip)
      }
      drip()
    })
    const response = await post(transport)
    expect(Buffer.compare(Buffer.from(response.bytes), bytes)).toBe(0)
    expect(response.text).toBe(text)
  })

  for (const [name, abortOf] of [
    ["a RequestAbort", () => new RequestAbort()],
    ["an AbortSignal", () => new AbortController()]
  ] as const) {
    it(`${name} ends a request waiting for its headers, and one waiting for the rest of its body`, async () => {
      const { server, transport } = await transportAgainst((request, res) => {
        if (request.index === 0) return // never answers
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write("{\"data\":") // and never the rest
      })
      for (let i = 0; i < 2; i++) {
        const abort = abortOf()
        const outcome = post(transport, abort instanceof AbortController ? abort.signal : abort).then(() => "answered", (error: unknown) => error)
        await until(() => server.requests > i)
        await new Promise((resolve) => setTimeout(resolve, 20))
        abort.abort()
        const error = await outcome
        expect(error).toBeInstanceOf(Error)
        // The caller's abort is passed on as it came, not reported as a failure of the API.
        expect(error).not.toBeInstanceOf(TransportFailure)
      }
    })

    it(`${name} aborted before the request sends nothing`, async () => {
      const { server, transport } = await transportAgainst((_, res) => res.end("{}"))
      const abort = abortOf()
      abort.abort()
      await expect(post(transport, abort instanceof AbortController ? abort.signal : abort)).rejects.toBeInstanceOf(Error)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(server.requests).toBe(0)
    })
  }

  it("a body cut short by the server is a TransportFailure, not a short body", async () => {
    const { transport } = await transportAgainst((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
      res.write("{\"data\":", () => res.socket?.destroy())
    })
    await expect(post(transport)).rejects.toBeInstanceOf(TransportFailure)
  })
})
