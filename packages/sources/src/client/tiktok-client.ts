import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AuthError } from "@tikflow/core/internal"
import type { ProgressListener, QuotaLedger, RateLimiter, RawResponse, RetryPolicy, SourceError } from "@tikflow/core/internal"
import { resolveCredentials } from "../auth/credentials.js"
import { TokenProvider } from "../auth/token-provider.js"
import { HttpTransport } from "../http/http-transport.js"
import type { TikTokClientConfig } from "./client-config.js"
import { clientSettingsOf } from "./client-settings.js"
import { RequestPath } from "./request-path.js"

/** One research API call: the endpoint path, the `fields` query and the JSON body. */
export interface ApiRequest {
  readonly endpoint: string
  readonly fields?: ReadonlyArray<string> | undefined
  /** A JSON text (e.g. from a request encoder that writes ids as bare numbers) or a value to stringify. */
  readonly body: string | object
  /** The `search_id` sent, so a stale-search answer can name it. */
  readonly searchId?: string | undefined
  /** Overrides the client's retry policy for this call. */
  readonly retry?: RetryPolicy | undefined
  /** Also receives this call's progress events (the client's listener always does). */
  readonly onProgress?: ProgressListener | undefined
  /**
   * Receives every HTTP response of this call as it arrived (each attempt's; the last one is the
   * final answer, success or error), for the raw archive. Not called when no response came back.
   */
  readonly onResponse?: ((response: RawResponse) => void) | undefined
}

/** The client every source runs on: token, rate limit, quota and retries included in `call`. */
export interface TikTokClientService {
  /** The parsed response body (lossless: ids as strings) of a successful call, or its typed error. */
  readonly call: (request: ApiRequest) => Effect.Effect<unknown, SourceError>
  readonly retry: RetryPolicy
  readonly rate: RateLimiter
  readonly quota: QuotaLedger
  readonly baseUrl: string
  /** The client's own progress listener (sources combine it with theirs). */
  readonly emit: ProgressListener
}

/** The `TikTokClient` service tag; provide it with {@link layerTikTokClient}. */
export class TikTokClient extends Context.Service<TikTokClient, TikTokClientService>()("@tikflow/sources/TikTokClient") {
  /** A scoped layer: the HTTP pool is closed when the layer's scope ends. */
  static layer(config: TikTokClientConfig = {}): Layer.Layer<TikTokClient, AuthError> {
    return layerTikTokClient(config)
  }
}

/** Builds the client's parts; `close` ends the pool and any token request in flight. */
export const makeTikTokClient = (
  config: TikTokClientConfig = {}
): { readonly service: TikTokClientService; readonly close: () => Promise<void> } | AuthError => {
  const credentials = resolveCredentials(config.credentials, config.env)
  if (credentials instanceof AuthError) return credentials
  const settings = clientSettingsOf(config)
  // The pool last: every other option is validated before a socket can exist.
  const transport = transportOf(settings.baseUrl, config)
  const tokens = new TokenProvider(transport, credentials, {
    now: config.clock ?? Date.now,
    refreshFraction: settings.refreshFraction,
    onProgress: settings.emit
  })
  const requests = new RequestPath(settings, transport, tokens)
  const { policy, rate, quota, baseUrl, emit } = settings
  return {
    service: { call: (request) => requests.call(request), retry: policy, rate, quota, baseUrl, emit },
    close: async () => {
      tokens.close()
      await transport.destroy()
      // After the pool: no request can still be sent, so the block's unsent units go back.
      await quota.close()
    }
  }
}

const transportOf = (baseUrl: string, config: TikTokClientConfig): HttpTransport =>
  new HttpTransport({
    baseUrl,
    connections: config.connections,
    connectTimeoutMs: config.timeouts?.connectMs,
    headersTimeoutMs: config.timeouts?.headersMs,
    bodyTimeoutMs: config.timeouts?.bodyMs,
    requestTimeoutMs: config.timeouts?.requestMs,
    maxResponseBytes: config.maxResponseBytes
  })

/** The client as a scoped `Layer`. Missing credentials fail the layer with `AuthError`. */
export const layerTikTokClient = (config: TikTokClientConfig = {}): Layer.Layer<TikTokClient, AuthError> =>
  Layer.effect(
    TikTokClient,
    Effect.acquireRelease(
      Effect.suspend(() => {
        const made = makeTikTokClient(config)
        return made instanceof AuthError ? Effect.fail(made) : Effect.succeed(made)
      }),
      (made) => Effect.promise(() => made.close())
    ).pipe(Effect.map((made) => made.service))
  )
