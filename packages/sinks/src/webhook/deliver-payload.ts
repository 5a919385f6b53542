import type { AnyRecord, SinkLogger } from "@tikflow/core/internal"
import type { Dispatcher } from "undici"
import type { DeadLetter, deadLetterFile } from "./dead-letter.js"
import { idempotencyKey, recordKeyOf } from "./idempotency-key.js"
import { postWithRetries } from "./post-batch.js"
import { SIGNATURE_HEADER } from "./signature.js"
import type { UndeliveredTally } from "./undelivered.js"
import type { WebhookSinkConfig } from "./webhook-config.js"

/** The JSON body of every POST. */
export interface WebhookPayload {
  readonly harvest_id: string
  readonly stream: string
  readonly epoch: number
  /** Position of this batch within its epoch, from 0 (informative: the idempotency key hashes the records' keys). */
  readonly batch_seq: number
  readonly records: ReadonlyArray<AnyRecord>
}

export interface DeliveryTarget {
  readonly config: WebhookSinkConfig
  /** The URL without credentials, for messages and dead letters. */
  readonly shownUrl: string
  readonly dispatcher: Dispatcher
  readonly primaryKey: ReadonlyArray<string>
  readonly signal: AbortSignal
  readonly logger: SinkLogger
  readonly deadLetters: ReturnType<typeof deadLetterFile>
  readonly undelivered: UndeliveredTally
}

const headersOf = (target: DeliveryTarget, payload: WebhookPayload, body: string) => {
  const key = idempotencyKey(payload.harvest_id, payload.stream, payload.records.map((record) => recordKeyOf(target.primaryKey, record)))
  const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": key, "user-agent": "tikflow" }
  if (target.config.sign !== undefined) headers[SIGNATURE_HEADER] = target.config.sign(body)
  return headers
}

/**
 * POSTs one payload with retries. A batch that never got a 2xx is dead-lettered and counted; one
 * cut short by the run's signal is counted as cancelled: it is not durable, so the epoch is not
 * committed and a resumed run sends it again (same idempotency key). Never rejects.
 */
export const deliverPayload = async (target: DeliveryTarget, payload: WebhookPayload): Promise<void> => {
  const { config, undelivered } = target
  const body = JSON.stringify(payload)
  const headers = headersOf(target, payload, body)
  const outcome = await postWithRetries(
    { url: config.url, body, headers, dispatcher: target.dispatcher, timeoutMs: config.timeoutMs, signal: target.signal },
    config.retry
  )
  if (outcome.failure === undefined) return
  if (target.signal.aborted) {
    undelivered.countCancelled()
    return
  }
  const letter: DeadLetter = {
    failed_at: new Date().toISOString(),
    url: target.shownUrl,
    idempotency_key: headers["idempotency-key"],
    attempts: outcome.attempts,
    error: outcome.failure.message,
    payload
  }
  undelivered.countDeadLetter()
  target.logger.error(
    `${payload.stream}: batch epoch ${payload.epoch} #${payload.batch_seq} (${payload.records.length} records) failed after ` +
      `${outcome.attempts} attempt(s) (${outcome.failure.message}); dead-lettered to ${target.deadLetters.path}`
  )
  try {
    await target.deadLetters.append(letter)
  } catch (error) {
    undelivered.deadLetterWriteFailed(error)
  }
}
