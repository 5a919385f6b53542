import { defineSink } from "@tikflow/core"
import type { AnyRecord, SinkBatch, SinkContext, SinkWriter } from "@tikflow/core"
import { setMaxListeners } from "node:events"
import { resolve } from "node:path"
import { Pool } from "undici"
import type { DeadLetter } from "./dead-letter.js"
import { deadLetterFile } from "./dead-letter.js"
import { idempotencyKey, recordKeyOf } from "./idempotency-key.js"
import { postWithRetries } from "./post-batch.js"
import { SIGNATURE_HEADER } from "./signature.js"
import type { WebhookSinkConfig } from "./webhook-config.js"
import { parseWebhookConfig } from "./webhook-config.js"

/** The JSON body of every POST. */
export interface WebhookPayload {
  readonly harvest_id: string
  readonly stream: string
  readonly epoch: number
  /** Position of this batch within its epoch, from 0 (informative: the idempotency key hashes the records' keys). */
  readonly batch_seq: number
  readonly records: ReadonlyArray<AnyRecord>
}

const shownUrl = (url: URL): string => {
  const copy = new URL(url)
  copy.username = ""
  copy.password = ""
  return copy.toString()
}

const openWriter = async (context: SinkContext<WebhookSinkConfig>): Promise<SinkWriter> => {
  const config = context.config
  const url = shownUrl(config.url)
  const deadLetters = deadLetterFile(
    // Under the run's state directory (`--state`), not wherever the command happened to run.
    config.deadLetter ?? resolve(context.stateDir ?? ".tikflow", "dead-letter", `webhook-${context.stream.replace(/[^A-Za-z0-9_.-]/g, "_")}.ndjson`)
  )
  const dispatcher = new Pool(config.url.origin, { connections: config.concurrency })
  // Every POST in flight listens on the run's signal (plus the retry's wait): up to `concurrency`
  // at once is by design, not a leak, so raise Node's warning threshold to match.
  setMaxListeners(Math.max(10, 2 * config.concurrency + 10), context.signal)
  const inFlight = new Set<Promise<void>>()
  let epochOfSeq: number | undefined
  let seq = 0
  let deadLettered = 0
  let cancelled = 0
  let fatal: Error | undefined

  const deliver = async (payload: WebhookPayload): Promise<void> => {
    const body = JSON.stringify(payload)
    const key = idempotencyKey(payload.harvest_id, payload.stream, payload.records.map((record) => recordKeyOf(context.primaryKey, record)))
    const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": key, "user-agent": "tikflow" }
    if (config.sign !== undefined) headers[SIGNATURE_HEADER] = config.sign(body)
    const outcome = await postWithRetries({ url: config.url, body, headers, dispatcher, timeoutMs: config.timeoutMs, signal: context.signal }, config.retry)
    if (outcome.failure === undefined) return
    if (context.signal.aborted) {
      // Cancelled, not refused: the batch is not durable, so the epoch is not committed and a
      // resumed run sends it again (same idempotency key). Not a dead letter.
      cancelled++
      return
    }
    const letter: DeadLetter = {
      failed_at: new Date().toISOString(),
      url,
      idempotency_key: key,
      attempts: outcome.attempts,
      error: outcome.failure.message,
      payload
    }
    deadLettered++
    context.logger.error(
      `${context.stream}: batch epoch ${payload.epoch} #${payload.batch_seq} (${payload.records.length} records) failed after ` +
        `${outcome.attempts} attempt(s) (${outcome.failure.message}); dead-lettered to ${deadLetters.path}`
    )
    try {
      await deadLetters.append(letter)
    } catch (error) {
      fatal ??= new Error(`could not write the dead-letter file ${deadLetters.path}: ${(error as Error).message}`)
    }
  }

  const failIfUndelivered = () => {
    if (fatal !== undefined) throw fatal
    if (cancelled > 0) throw new Error(`${cancelled} batch(es) to ${url} were not delivered before the run was cancelled; a resumed run sends them again`)
    if (deadLettered > 0 && !config.deadLetterOk) {
      throw new Error(
        `${deadLettered} batch(es) to ${url} never got a 2xx and were dead-lettered to ${deadLetters.path}` +
          " (pass dead_letter_ok=true to keep going)"
      )
    }
  }

  const settle = async () => {
    while (inFlight.size > 0) await Promise.all(inFlight)
  }

  return {
    async write(batch: SinkBatch) {
      failIfUndelivered()
      if (batch.epoch !== epochOfSeq) {
        epochOfSeq = batch.epoch
        seq = 0
      }
      for (let i = 0; i < batch.records.length; i += config.batchSize) {
        // Bounded concurrency: wait for a slot before starting another POST.
        while (inFlight.size >= config.concurrency) await Promise.race(inFlight)
        const payload: WebhookPayload = {
          harvest_id: context.harvestId,
          stream: context.stream,
          epoch: batch.epoch,
          batch_seq: seq++,
          records: batch.records.slice(i, i + config.batchSize)
        }
        const delivery: Promise<void> = deliver(payload).finally(() => inFlight.delete(delivery))
        inFlight.add(delivery)
      }
    },
    async flush() {
      // Durable means every POST so far got a 2xx; a dead-lettered batch fails the run unless opted in.
      await settle()
      failIfUndelivered()
      if (deadLettered > 0) {
        context.logger.warn(`${context.stream}: ${deadLettered} batch(es) dead-lettered to ${deadLetters.path} (dead_letter_ok)`)
        deadLettered = 0
      }
    },
    async close() {
      await settle()
      await dispatcher.close()
    }
  }
}

/**
 * `webhook:https://host/path`: POSTs `{harvest_id, stream, epoch, batch_seq, records}` as JSON with
 * bounded concurrency, an `Idempotency-Key` derived from the batch's record keys (stable across
 * retries and resumes), and an
 * `X-Tikflow-Signature: sha256=<HMAC of the body>` header; retries 5xx/429/network errors with
 * capped, jittered exponential backoff, then dead-letters the batch to an NDJSON file.
 */
export const webhookSink = defineSink<WebhookSinkConfig>({
  contract: 1,
  name: "webhook",
  schemes: ["webhook"],
  description: "POST JSON batches to an HTTP endpoint: HMAC-signed, idempotency keys, retries, dead letters",
  options: {
    secret: "shared secret for X-Tikflow-Signature (pipeline files only: the CLI refuses it in --out; prefer the env variable)",
    secret_env: "env variable holding the secret (default TIKFLOW_WEBHOOK_SECRET)",
    secret_file: "file whose first line is the secret (never on the command line: ps shows it)",
    unsigned: "true to send without a signature",
    concurrency: "POSTs in flight at once (default 4)",
    batch_size: "records per POST (default 500)",
    timeout_ms: "per-request timeout (default 30000)",
    retries: "retries after the first attempt (default 6)",
    backoff_ms: "first retry delay, doubled each time, jittered (default 200)",
    backoff_cap_ms: "longest retry delay (default 15000)",
    dead_letter: "NDJSON file for batches that never got a 2xx (default <state>/dead-letter/webhook-<stream>.ndjson, <state> being --state, default .tikflow)",
    dead_letter_ok: "true to finish the run even if batches were dead-lettered (default: fail)"
  },
  config: { parse: (target) => parseWebhookConfig(target) },
  open: openWriter
})
