import type { IncomingMessage, ServerResponse } from "node:http"
import { createServer } from "node:http"
import { ApiFailure } from "../api/api-failure.js"
import { InvalidParams } from "../api/invalid-params.js"
import { parseBody } from "../api/request-values.js"
import type { FaultKind } from "../faults/fault-kind.js"
import { Prng } from "../random/prng.js"
import type { DailyQuota } from "./daily-quota.js"
import type { SandboxState } from "./endpoint.js"
import type { EndpointName } from "./endpoint-names.js"
import { researchEndpoints, TOKEN_PATH } from "./endpoint-names.js"
import { logId } from "./log-id.js"
import type { TokenStore } from "./token-store.js"

export interface HttpServerConfig {
  readonly seed: number
  readonly state: SandboxState
  readonly tokens: TokenStore
  readonly quota: DailyQuota
  readonly credentials: { readonly clientKey: string; readonly clientSecret: string }
  readonly tokenLifetimeSeconds: () => number
  readonly now: () => number
  readonly bareNumberIdShare: () => number
  readonly msgKeyShare: () => number
  readonly requests: Record<EndpointName, number>
  readonly onQuotaRejection: () => void
  /** Delay before every research request is handled, in ms: the API's latency (0: none). */
  readonly latencyMs: () => number
  /** Research requests being handled now, and the most seen at once. */
  readonly inFlight: { current: number; peak: number }
}

const GATEWAY_TIMEOUT_HTML =
  "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"

const MAX_BODY = 1 << 20

export interface RunningServer {
  readonly port: number
  stop(): Promise<void>
}

/** The sandbox's node:http server on 127.0.0.1: token endpoint, research endpoints, faults. */
export const startHttpServer = async (config: HttpServerConfig, host: string, port: number): Promise<RunningServer> => {
  const { state, tokens, quota, now } = config
  const style = new Prng(config.seed ^ 0x68e31da4)
  const timers = new Set<NodeJS.Timeout>()
  let counter = 0
  // The log id of the answer being built, sent as its `x-tt-logid` header too (as the API does);
  // an id is made and its answer sent in one synchronous step, so no other request can interleave.
  let pendingLogId: string | undefined
  const nextLogId = (): string => (pendingLogId = logId(config.seed, ++counter, now()))

  const send = (res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}, mangle?: FaultKind) => {
    const logIdHeader: Record<string, string> = pendingLogId === undefined ? {} : { "x-tt-logid": pendingLogId }
    pendingLogId = undefined
    let bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
    // Malformed: the last `}` becomes `]}`, so the JSON no longer parses.
    if (mangle === "malformed") bytes = Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from("]}")])
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": bytes.length, ...logIdHeader, ...headers })
    if (mangle === "truncated") {
      // Promise the whole body, deliver half, then drop the connection.
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy())
      return
    }
    res.end(bytes)
  }

  const error = (code: string, message: string, useMsg: boolean): string =>
    `{"error":{"code":${JSON.stringify(code)},${useMsg ? '"msg"' : '"message"'}:${JSON.stringify(message)},"log_id":"${nextLogId()}"}}`

  const tokenEndpoint = (res: ServerResponse, raw: string) => {
    const form = new URLSearchParams(raw)
    const flat = (status: number, code: string, description: string) =>
      send(res, status, JSON.stringify({ error: code, error_description: description, log_id: nextLogId() }))
    if (form.get("grant_type") !== "client_credentials") return flat(400, "invalid_request", "grant_type: expected client_credentials")
    const key = form.get("client_key")
    const secret = form.get("client_secret")
    if (!key || !secret) return flat(400, "invalid_request", "client_key and client_secret are required")
    if (key !== config.credentials.clientKey || secret !== config.credentials.clientSecret) {
      return flat(401, "invalid_client", "Client key or secret is incorrect.")
    }
    const lifetime = config.tokenLifetimeSeconds()
    const token = tokens.issue(key, now(), lifetime)
    send(res, 200, JSON.stringify({ access_token: token, expires_in: lifetime, token_type: "Bearer" }))
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const research = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => {
    const latency = config.latencyMs()
    if (latency > 0) {
      await delay(latency)
      if (res.destroyed) return
    }
    const endpoint = researchEndpoints.get(url.pathname.endsWith("/") ? url.pathname : url.pathname + "/")!
    const bareIds = style.next() < config.bareNumberIdShare()
    const useMsg = style.next() < config.msgKeyShare()
    const auth = req.headers.authorization
    const token = auth !== undefined && auth.startsWith("Bearer ") ? auth.slice(7).trim() : undefined
    const clientKey = tokens.verify(token, now())
    const unauthorized = () =>
      send(res, 401, error("access_token_invalid", "The access token is invalid or not found in the request.", useMsg))
    if (clientKey === undefined) return unauthorized()

    const fault = state.faults.draw()
    const record = (kind: FaultKind) => state.faults.record(kind)
    switch (fault) {
      case "rateLimit":
        record(fault)
        return send(res, 429, error("rate_limit_exceeded", "Too many requests. Please retry later.", useMsg), {
          "retry-after": String(state.faults.retryAfterSeconds)
        })
      case "rateLimitNoRetryAfter":
        record(fault)
        return send(res, 429, error("rate_limit_exceeded", "Too many requests. Please retry later.", useMsg))
      case "serverError":
        record(fault)
        return send(res, 500, error("internal_error", "Something went wrong. Please try again later.", useMsg))
      case "gatewayTimeout":
        record(fault)
        res.writeHead(504, { "content-type": "text/html", "content-length": Buffer.byteLength(GATEWAY_TIMEOUT_HTML) })
        return res.end(GATEWAY_TIMEOUT_HTML)
      case "timeout":
        record(fault)
        return // never answered; stop() closes the connection
      case "reset":
        record(fault)
        return req.socket.destroy()
      case "tokenExpiry":
        record(fault)
        tokens.revoke(token!)
        return unauthorized()
      case "slow": {
        record(fault)
        await delay(state.faults.slowMs)
        if (res.destroyed) return
        break
      }
    }

    if (!quota.take(clientKey, now())) {
      config.onQuotaRejection()
      return send(res, 429, error("rate_limit_exceeded", `Daily quota of ${quota.limit} requests exceeded; it resets at 00:00 UTC.`, useMsg))
    }

    const mangle = fault === "malformed" || fault === "truncated" ? fault : undefined
    if (mangle) record(mangle)
    try {
      const result = endpoint.handle(state, {
        body: parseBody(raw),
        rawBody: raw,
        fields: url.searchParams.get("fields"),
        fault,
        bareIds
      })
      if (result.appliedFault) record(result.appliedFault)
      const id = nextLogId()
      const envelope = `,"error":{"code":"ok",${useMsg ? '"msg"' : '"message"'}:"","log_id":"${id}"}}`
      const chunks = typeof result.data === "string" ? ['{"data":', result.data, envelope] : ['{"data":', ...result.data, envelope]
      send(res, 200, Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c))), {}, mangle)
    } catch (cause) {
      if (cause instanceof InvalidParams) {
        if (cause.injected) record(cause.injected)
        return send(res, 400, error("invalid_params", cause.message, useMsg), {}, mangle)
      }
      if (cause instanceof ApiFailure) {
        if (cause.injected) record(cause.injected)
        return send(res, cause.status, error(cause.code, cause.message, useMsg), cause.headers, mangle)
      }
      return send(res, 500, error("internal_error", "Something went wrong. Please try again later.", useMsg))
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sandbox")
    const path = url.pathname.endsWith("/") ? url.pathname : url.pathname + "/"
    const endpoint = researchEndpoints.get(path)
    const isToken = path === TOKEN_PATH
    if (isToken) config.requests["oauth/token"]++
    else if (endpoint) config.requests[endpoint.name]++
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) req.socket.destroy()
      else chunks.push(chunk)
    })
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8")
      if (req.method !== "POST" || (!isToken && !endpoint)) {
        return send(res, 404, JSON.stringify({ error: { code: "not_found", message: `no endpoint ${req.method} ${url.pathname}`, log_id: "" } }))
      }
      if (isToken) return tokenEndpoint(res, raw)
      const inFlight = config.inFlight
      inFlight.peak = Math.max(inFlight.peak, ++inFlight.current)
      res.once("close", () => inFlight.current--)
      research(req, res, url, raw).catch(() => res.destroy())
    })
  })
  server.keepAliveTimeout = 60_000

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const boundPort = typeof address === "object" && address !== null ? address.port : port

  return {
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
