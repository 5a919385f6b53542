import { Pool } from "undici"

/** Socket-level settings of the HTTP pool. */
export interface HttpTransportOptions {
  /** Origin plus optional path prefix, e.g. `https://open.tiktokapis.com` or `http://127.0.0.1:4010/proxy`. */
  readonly baseUrl: string
  /** Upper bound on open connections to the API (default 8). */
  readonly connections?: number
  readonly connectTimeoutMs?: number
  readonly headersTimeoutMs?: number
  readonly bodyTimeoutMs?: number
  readonly keepAliveTimeoutMs?: number
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
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
  readonly origin: string

  constructor(options: HttpTransportOptions) {
    let url: URL
    try {
      url = new URL(options.baseUrl)
    } catch {
      throw new TypeError(`baseUrl: expected an absolute http(s) URL, got ${JSON.stringify(options.baseUrl)}`)
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`baseUrl: expected an http or https URL, got ${JSON.stringify(options.baseUrl)}`)
    }
    this.origin = url.origin
    this.prefix = url.pathname.replace(/\/+$/, "")
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 8,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      headersTimeout: options.headersTimeoutMs ?? 60_000,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000
    })
  }

  async post(
    path: string,
    request: { readonly headers: Record<string, string>; readonly body: string },
    signal?: AbortSignal
  ): Promise<HttpResponse> {
    try {
      const response = await this.pool.request({
        origin: this.origin,
        path: this.prefix + path,
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal
      })
      const text = await response.body.text()
      return { status: response.statusCode, headers: response.headers, text }
    } catch (error) {
      if (signal?.aborted) throw error
      const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)
      const code = (error as { code?: string } | null)?.code ?? ""
      throw new TransportFailure(kindOf(error), message, !NOT_CONNECTED.has(code))
    }
  }

  close(): Promise<void> {
    return this.pool.close()
  }

  destroy(): Promise<void> {
    return this.pool.destroy()
  }
}
