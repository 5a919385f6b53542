import type { SinkTarget } from "@tikflow/core/internal"
import { readFileSync, statSync } from "node:fs"
import type { Stats } from "node:fs"
import { ConfigError, readBool, readInt, readString, rejectUnknownOptions } from "@tikflow/core/internal"
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
  "secret", "secret_env", "secret_file", "unsigned", "concurrency", "batch_size", "timeout_ms", "retries", "backoff_ms", "backoff_cap_ms",
  "dead_letter", "dead_letter_ok"
]

const MAX_SECRET_FILE_BYTES = 64 * 1024

/** The secret from a file (its first line, trimmed): unlike a URI option, it never shows in `ps`. */
const readSecretFile = (path: string): string => {
  let stats: Stats
  try {
    stats = statSync(path)
  } catch (error) {
    throw new Error(`secret_file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`)
  }
  const size = stats.size
  // readFileSync of a device or FIFO (/dev/zero) would never end.
  if (!stats.isFile()) throw new Error(`secret_file: expected a regular file holding the secret, got ${path}`)
  if (size > MAX_SECRET_FILE_BYTES) throw new Error(`secret_file: expected a file of at most 64 KiB holding the secret, got ${path} (${size} bytes)`)
  const secret = readFileSync(path, "utf8").split(/\r?\n/, 1)[0].trim()
  if (secret === "") throw new Error(`secret_file: expected the secret on the first line of ${path}, got an empty line`)
  return secret
}

export const parseWebhookConfig = (target: SinkTarget, env: NodeJS.ProcessEnv = process.env): WebhookSinkConfig => {
  rejectUnknownOptions(target, OPTIONS)
  let url: URL
  try {
    url = new URL(target.location)
  } catch {
    throw ConfigError.make("location", `an http(s) URL after "webhook:"`, target.location)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError({ field: "location", expected: "an http(s) URL", got: url.protocol, message: `location: expected an http(s) URL, got protocol ${JSON.stringify(url.protocol)}` })
  }
  const secretEnv = readString(target, "secret_env") ?? DEFAULT_SECRET_ENV
  const secretFile = readString(target, "secret_file")
  const secret = readString(target, "secret") ?? (secretFile !== undefined ? readSecretFile(secretFile) : undefined) ??
    (env[secretEnv] !== undefined && env[secretEnv] !== "" ? env[secretEnv] : undefined)
  const unsigned = readBool(target, "unsigned", false)
  if (secret === undefined && !unsigned) {
    throw ConfigError.make("secret", `a shared secret for the signature (env ${secretEnv}, option secret_file or secret), or unsigned=true`)
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
