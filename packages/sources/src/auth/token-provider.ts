import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { apiSnippet, AuthError, DecodeError, oneLine, RateLimitedError, ServerError } from "@tikflow/core/internal"
import type { NetworkError, UnusableResponseError } from "@tikflow/core/internal"
import type { ProgressListener } from "@tikflow/core/internal"
import { redirectOf } from "../http/classify-response.js"
import type { HttpTransport } from "../http/http-transport.js"
import { transportError } from "../http/transport-error.js"
import type { ClientCredentials } from "./credentials.js"

export const TOKEN_PATH = "/v2/oauth/token/"

export type TokenError = AuthError | NetworkError | ServerError | DecodeError | RateLimitedError | UnusableResponseError

/** Internal: the API refused this token (401 `access_token_invalid`); refresh once and resend. */
export class TokenRejected extends Data.TaggedError("TokenRejected")<{ readonly token: string; readonly error: AuthError }> {
  // The token must not show up if this ever gets printed.
  override toString(): string {
    return "TokenRejected(<redacted>)"
  }
  override toJSON(): unknown {
    return { _tag: "TokenRejected", error: this.error }
  }
}

interface Token {
  readonly value: string
  readonly refreshAt: number
  readonly expiresAt: number
}

/**
 * Client-credentials access tokens: cached, refreshed once `refreshFraction` of their lifetime has
 * passed (before the API would refuse them), single-flight (every caller waiting for a refresh
 * shares one token request), and dropped when the API says `access_token_invalid`. The token value
 * never leaves this object except as the `Authorization` header.
 */
export class TokenProvider {
  #token: Token | undefined
  #inflight: Promise<Token | TokenError> | undefined
  #fetched = 0
  readonly #abort = new AbortController()

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: ClientCredentials,
    private readonly options: {
      readonly now: () => number
      readonly refreshFraction: number
      readonly onProgress?: ProgressListener | undefined
    }
  ) {}

  /** The cached token while it needs no refresh, else `undefined` (then `get`): the hot path's plain check. */
  current(): string | undefined {
    const token = this.#token
    return token !== undefined && this.options.now() < token.refreshAt ? token.value : undefined
  }

  /** A valid token, fetching or refreshing it first when needed. */
  readonly get: Effect.Effect<string, TokenError> = Effect.suspend(() => {
    const cached = this.current()
    if (cached !== undefined) return Effect.succeed(cached)
    return Effect.flatMap(Effect.promise(() => this.refresh()), (result) => {
      if ("value" in result) return Effect.succeed(result.value)
      // A failed proactive refresh is no reason to stop while the old token still works.
      const current = this.#token
      return current !== undefined && this.options.now() < current.expiresAt ? Effect.succeed(current.value) : Effect.fail(result)
    })
  })

  /** The API refused `token`: forget it (unless a newer one already replaced it). */
  invalidate(token: string): void {
    if (this.#token?.value === token) {
      this.#token = undefined
      this.options.onProgress?.({ type: "token", action: "rejected" })
    }
  }

  close(): void {
    this.#abort.abort()
  }

  private refresh(): Promise<Token | TokenError> {
    if (this.#inflight === undefined) {
      this.#inflight = this.request().then((result) => {
        this.#inflight = undefined
        if ("value" in result) {
          this.#token = result
          this.options.onProgress?.({ type: "token", action: this.#fetched++ === 0 ? "fetched" : "refreshed" })
        }
        return result
      })
    }
    return this.#inflight
  }

  private async request(): Promise<Token | TokenError> {
    const form = new URLSearchParams({
      client_key: this.credentials.clientKey,
      client_secret: this.credentials.revealSecret(),
      grant_type: "client_credentials"
    })
    const sentAt = this.options.now()
    let response
    try {
      response = await this.transport.post(
        TOKEN_PATH,
        { headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() },
        this.#abort.signal
      )
    } catch (error) {
      return transportError(TOKEN_PATH, error)
    }
    const redirect = redirectOf(TOKEN_PATH, response)
    if (redirect !== undefined) return redirect
    let body: Record<string, unknown> | undefined
    try {
      const parsed: unknown = JSON.parse(response.text)
      body = typeof parsed === "object" && parsed !== null ? parsed as Record<string, unknown> : undefined
    } catch {
      body = undefined
    }
    if (response.status === 429) {
      return new RateLimitedError({ endpoint: TOKEN_PATH, message: "token endpoint: HTTP 429" })
    }
    if (response.status >= 500) {
      return new ServerError({ endpoint: TOKEN_PATH, status: response.status, code: String(body?.error ?? "server_error"), message: `token endpoint: HTTP ${response.status}` })
    }
    if (body === undefined) {
      return new DecodeError({ endpoint: TOKEN_PATH, path: "", message: "token response is not JSON" })
    }
    if (typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
      const code = typeof body.error === "string" ? oneLine(body.error, 60) : `http_${response.status}`
      // The API's description may span lines or be long; errors are shown on one line.
      const description = typeof body.error_description === "string" ? apiSnippet(body.error_description) : "token request refused"
      const logId = typeof body.log_id === "string" ? body.log_id : undefined
      if (response.status < 300 && code === `http_${response.status}`) {
        return new DecodeError({ endpoint: TOKEN_PATH, path: "access_token", message: "expected access_token (string) and expires_in (number)" })
      }
      return new AuthError({ reason: "invalid_client", message: `${code}: ${description}`, logId })
    }
    const lifetimeMs = body.expires_in * 1000
    return {
      value: body.access_token,
      refreshAt: sentAt + lifetimeMs * this.options.refreshFraction,
      expiresAt: sentAt + lifetimeMs
    }
  }
}
