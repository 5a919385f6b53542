import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface HostileRequest {
  readonly path: string
  readonly body: string
  /** Research calls received before this one (token requests are not counted). */
  readonly index: number
}

/** Answers one research call however a broken or hostile API would: any status, headers and body. */
export type Answer = (request: HostileRequest, res: ServerResponse) => void

/** A valid research page: `{data, error: {code: "ok"}}` with a JSON `data` text. */
export const okPage = (res: ServerResponse, data: string): void => {
  res.writeHead(200, { "content-type": "application/json" })
  res.end(`{"data":${data},"error":{"code":"ok","message":"","log_id":"l"}}`)
}

/**
 * A real loopback `node:http` API whose token endpoint works (unless `token` says otherwise) and
 * whose research endpoints answer as `answer` says; it counts every research request it receives.
 */
export const startHostileServer = async (answer: Answer, token?: (res: ServerResponse) => void) => {
  let requests = 0
  const sockets = new Set<import("node:net").Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      if (path.startsWith("/v2/oauth/token/")) {
        if (token !== undefined) return token(res)
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(`{"access_token":"clt.test","expires_in":7200,"token_type":"Bearer"}`)
      }
      answer({ path, body: Buffer.concat(chunks).toString("utf8"), index: requests++ }, res)
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    close: () => {
      // Endless and dripping bodies never end on their own.
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
