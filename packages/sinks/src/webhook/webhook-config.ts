import type { SinkTarget } from "@tikflow/core"
import { readBool, readInt, readString, rejectUnknownOptions } from "../config/option-readers.js"
import type { DeliveryRetryPolicy } from "./delivery-schedule.js"
import { signBody } from "./signature.js"

export const DEFAULT_SECRET_ENV = "TIKFLOW_WEBHOOK_SECRET"

export interface WebhookSinkConfig {
  readonly url: URL
  /** Signs a body; the secret lives only in this closure, so printing the config never shows it. */
  readonly sign: ((body: string) => string) | undefined
  readonly concurrency: number
  readonly batchSize: number
  readonly timeoutMs: number
  readonly retry: DeliveryRetryPolicy
  /** Where batches that never got a 2xx go; undefined = `dead-letter/` in the run's state directory. */
  readonly deadLetter: string | undefined
  /** Keep going (flush succeeds) when batches were dead-lettered; default: fail the run. */
  readonly deadLetterOk: boolean
}

const OPTIONS = [
  "secret", "secret_env", "unsigned", "concurrency", "batch_size", "timeout_ms", "retries", "backoff_ms", "backoff_cap_ms",
  "dead_letter", "dead_letter_ok"
]

export const parseWebhookConfig = (target: SinkTarget, env: NodeJS.ProcessEnv = process.env): WebhookSinkConfig => {
  rejectUnknownOptions(target, OPTIONS)
  let url: URL
  try {
    url = new URL(target.location)
  } catch {
    throw new Error(`location: expected an http(s) URL after "webhook:", got ${JSON.stringify(target.location)}`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`location: expected an http(s) URL, got protocol ${JSON.stringify(url.protocol)}`)
  }
  const secretEnv = readString(target, "secret_env") ?? DEFAULT_SECRET_ENV
  const secret = readString(target, "secret") ?? (env[secretEnv] !== undefined && env[secretEnv] !== "" ? env[secretEnv] : undefined)
  const unsigned = readBool(target, "unsigned", false)
  if (secret === undefined && !unsigned) {
    throw new Error(`secret: expected a shared secret for the signature (option secret, or env ${secretEnv}), or unsigned=true`)
  }
  const baseDelayMs = readInt(target, "backoff_ms", { min: 1, max: 60_000 }, 200)
  return {
    url,
    sign: secret === undefined || unsigned ? undefined : (body) => signBody(secret, body),
    concurrency: readInt(target, "concurrency", { min: 1, max: 256 }, 4),
    batchSize: readInt(target, "batch_size", { min: 1, max: 1_000_000 }, 500),
    timeoutMs: readInt(target, "timeout_ms", { min: 1, max: 600_000 }, 30_000),
    retry: {
      retries: readInt(target, "retries", { min: 0, max: 100 }, 6),
      baseDelayMs,
      maxDelayMs: readInt(target, "backoff_cap_ms", { min: baseDelayMs, max: 600_000 }, Math.max(baseDelayMs, 15_000))
    },
    deadLetter: readString(target, "dead_letter"),
    deadLetterOk: readBool(target, "dead_letter_ok", false)
  }
}
