import { Pool } from "undici"
import type { Dispatcher } from "undici"
import { checkBaseUrl } from "./base-url.js"

/** Socket-level settings of the HTTP pool. */
export interface HttpTransportOptions {
  /** Origin plus optional path prefix, e.g. `https://open.tiktokapis.com` or `http://127.0.0.1:4010/proxy` (plain http only on loopback). */
  readonly baseUrl: string
  /** Upper bound on open connections to the API (default 8). */
  readonly connections?: number
  readonly connectTimeoutMs?: number
  readonly headersTimeoutMs?: number
  readonly bodyTimeoutMs?: number
  readonly keepAliveTimeoutMs?: number
  /** Deadline for one whole exchange, headers and body, however slowly the body drips (default 120 s). */
  readonly requestTimeoutMs?: number
  /** Largest response body read (default 32 MiB); a larger one is refused, not buffered. */
  readonly maxResponseBytes?: number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000
/** A page of 100 videos with every field is well under 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024

export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
  /** The body bytes as received (`text` is their UTF-8 decoding). */
  readonly bytes: Uint8Array
}

/** A response whose body is over `maxResponseBytes`: refused as soon as that is known. */
export class ResponseTooLarge extends Error {
  constructor(readonly status: number, readonly limit: number, readonly declared: number | undefined) {
    super(
      `the response body is ${declared === undefined ? "over" : `${declared} bytes, over`} the limit of ${limit} bytes ` +
        `(HTTP ${status}; raise maxResponseBytes if the API really sends that much)`
    )
  }
}

/**
 * Why a request got no HTTP response at all. `sent` is false only when the failure proves the
 * request never reached the server (no connection: refused, DNS failure, unreachable host,
 * connect timeout); after a connection, a reset or timeout may come after the server counted it.
 */
export class TransportFailure extends Error {
  constructor(readonly kind: "connect" | "reset" | "timeout" | "other", message: string, readonly sent: boolean = true) {
    super(message)
  }
}

/** Codes undici and Node give when no connection was made, so no byte of the request left. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"])

const positive = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name}: expected a positive number, got ${value}`)
  return value
}

const kindOf = (error: unknown): TransportFailure["kind"] => {
  const code = (error as { code?: string } | null)?.code ?? ""
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "ETIMEDOUT") {
    return "timeout"
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH") return "connect"
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED") return "reset"
  return "other"
}

/**
 * A keep-alive undici `Pool` to one origin with bounded connections and explicit timeouts. Uses
 * `pool.request` (about 2× the throughput of `fetch` on loopback). A request aborted through its
 * signal releases its socket; `close()` ends the pool's sockets.
 */
export class HttpTransport {
  private readonly pool: Pool
  private readonly prefix: string
  private readonly requestTimeoutMs: number
  private readonly maxResponseBytes: number
  readonly origin: string

  constructor(options: HttpTransportOptions) {
    const url = checkBaseUrl("baseUrl", options.baseUrl)
    this.origin = url.origin
    this.prefix = url.pathname.replace(/\/+$/, "")
    this.requestTimeoutMs = positive("requestTimeoutMs", options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS)
    this.maxResponseBytes = positive("maxResponseBytes", options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES)
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 8,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      headersTimeout: options.headersTimeoutMs ?? 60_000,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000
    })
  }

  /**
   * One POST, bounded: the body is read up to `maxResponseBytes` (a larger declared or actual body
   * fails with `ResponseTooLarge` without reading on), and the whole exchange gets
   * `requestTimeoutMs`, so a body that drips a byte at a time cannot hold a request forever.
   */
  async post(
    path: string,
    request: { readonly headers: Record<string, string>; readonly body: string },
    signal?: AbortSignal
  ): Promise<HttpResponse> {
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(), this.requestTimeoutMs)
    const onAbort = () => deadline.abort()
    signal?.addEventListener("abort", onAbort, { once: true })
    if (signal?.aborted) deadline.abort()
    try {
      const response = await this.pool.request({
        origin: this.origin,
        path: this.prefix + path,
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: deadline.signal
      })
      const bytes = await this.readBody(response)
      return { status: response.statusCode, headers: response.headers, text: bytes.toString("utf8"), bytes }
    } catch (error) {
      if (signal?.aborted || error instanceof ResponseTooLarge) throw error
      if (deadline.signal.aborted) {
        throw new TransportFailure("timeout", `no complete response within ${this.requestTimeoutMs / 1000} s (timeouts.requestMs)`)
      }
      const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)
      const code = (error as { code?: string } | null)?.code ?? ""
      throw new TransportFailure(kindOf(error), message, !NOT_CONNECTED.has(code))
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
    }
  }

  private async readBody(response: Dispatcher.ResponseData): Promise<Buffer> {
    const limit = this.maxResponseBytes
    const header = response.headers["content-length"]
    const declared = typeof header === "string" && /^\d+$/.test(header) ? Number(header) : undefined
    if (declared !== undefined && declared > limit) {
      response.body.destroy()
      throw new ResponseTooLarge(response.statusCode, limit, declared)
    }
    const chunks: Array<Buffer> = []
    let size = 0
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        response.body.destroy()
        throw new ResponseTooLarge(response.statusCode, limit, undefined)
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks, size)
  }

  close(): Promise<void> {
    return this.pool.close()
  }

  destroy(): Promise<void> {
    return this.pool.destroy()
  }
}
