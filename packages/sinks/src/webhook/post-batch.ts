import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { Dispatcher } from "undici"
import { request } from "undici"
import type { DeliveryRetryPolicy } from "./delivery-schedule.js"
import { deliverySchedule } from "./delivery-schedule.js"

/** Why one POST did not count as delivered. */
export class DeliveryFailure extends Data.TaggedError("DeliveryFailure")<{
  readonly retryable: boolean
  readonly status: number | undefined
  readonly message: string
}> {}

export interface PostRequest {
  readonly url: URL
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly dispatcher: Dispatcher
  readonly timeoutMs: number
  readonly signal: AbortSignal
}

// 408 and 429 are the receiver asking to come back later; 5xx its own trouble. Any other status
// is a verdict on the batch itself, which retrying will not change.
const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500

const postOnce = (req: PostRequest): Effect.Effect<void, DeliveryFailure> =>
  Effect.tryPromise({
    try: async () => {
      const response = await request(req.url, {
        method: "POST",
        headers: req.headers,
        body: req.body,
        dispatcher: req.dispatcher,
        signal: req.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs
      })
      await response.body.dump()
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new DeliveryFailure({
          retryable: retryableStatus(response.statusCode),
          status: response.statusCode,
          message: `HTTP ${response.statusCode}`
        })
      }
    },
    catch: (cause) =>
      cause instanceof DeliveryFailure
        ? cause
        : new DeliveryFailure({
          // Connection refused/reset, timeouts: the network, worth retrying unless we were cancelled.
          retryable: !req.signal.aborted,
          status: undefined,
          message: req.signal.aborted ? "aborted" : `network error: ${cause instanceof Error ? cause.message : String(cause)}`
        })
  })

export interface PostOutcome {
  readonly attempts: number
  readonly failure: DeliveryFailure | undefined
}

/** POSTs until a 2xx, retrying retryable failures on the delivery schedule. Never rejects. */
export const postWithRetries = (req: PostRequest, policy: DeliveryRetryPolicy): Promise<PostOutcome> => {
  let attempts = 0
  const attempt = Effect.suspend(() => {
    attempts++
    return postOnce(req)
  })
  return Effect.runPromise(
    attempt.pipe(
      Effect.retry({ schedule: deliverySchedule(policy), while: (failure) => failure.retryable && !req.signal.aborted }),
      Effect.match({
        onSuccess: (): PostOutcome => ({ attempts, failure: undefined }),
        onFailure: (failure): PostOutcome => ({ attempts, failure })
      })
    )
  )
}
