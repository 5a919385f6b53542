import { createServer } from "node:http"
import type { IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** What the server does with one request: answer a status, or drop the connection. */
export type Behaviour = { readonly status: number; readonly delayMs?: number } | "reset"

/** A real loopback HTTP server recording every request and answering as `behave` says. */
export const startWebhookServer = async (behave: (request: Received, index: number) => Behaviour) => {
  const received: Array<Received> = []
  let inFlight = 0
  let maxInFlight = 0
  const server = createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    // A request stops counting when answered or when the client gives up (timeout, reset).
    let counted = true
    const finish = () => {
      if (counted) (counted = false), inFlight--
    }
    res.on("close", finish)
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }
      const behaviour = behave(request, received.length)
      received.push(request)
      if (behaviour === "reset") {
        finish()
        req.socket.destroy()
        return
      }
      setTimeout(() => {
        finish()
        if (res.destroyed) return
        res.writeHead(behaviour.status, { "content-type": "text/plain" }).end("ok")
      }, behaviour.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get maxInFlight() {
      return maxInFlight
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
