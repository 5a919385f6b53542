import { AuthError } from "@tikflow/core/internal"
import type { TikTokClientConfig } from "./client-config.js"
import { makeTikTokClient } from "./tiktok-client.js"
import type { TikTokClientService } from "./tiktok-client.js"

/** A client for code without Effect (RxJS, plain promises). Call `close()` when done. */
export interface TikTokClientHandle {
  readonly service: TikTokClientService
  /** Ends the HTTP pool's sockets and any token request in flight. */
  close(): Promise<void>
}

/** Creates a client; throws `AuthError(missing_credentials)` when no credentials are configured. */
export const createTikTokClient = (config: TikTokClientConfig = {}): TikTokClientHandle => {
  const made = makeTikTokClient(config)
  if (made instanceof AuthError) throw made
  let closed: Promise<void> | undefined
  return {
    service: made.service,
    close: () => (closed ??= made.close()),
    [Symbol.for("nodejs.util.inspect.custom")]: () => `TikTokClient(${made.service.baseUrl})`
  } as TikTokClientHandle
}
