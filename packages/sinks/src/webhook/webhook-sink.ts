import { defineSink } from "@tikflow/core/internal"
import type { WebhookSinkConfig } from "./webhook-config.js"
import { parseWebhookConfig } from "./webhook-config.js"

export type { WebhookPayload } from "./deliver-payload.js"

/**
 * `webhook:https://host/path`: POSTs `{harvest_id, stream, epoch, batch_seq, records}` as JSON with
 * bounded concurrency, an `Idempotency-Key` derived from the batch's record keys (stable across
 * retries and resumes), and an
 * `X-Tikflow-Signature: sha256=<HMAC of the body>` header; retries 5xx/429/network errors with
 * capped, jittered exponential backoff, then dead-letters the batch to an NDJSON file.
 */
export const webhookSink = defineSink<WebhookSinkConfig>({
  contract: 3,
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
  // The writer (and what it needs) loads when a sink opens, not with the registry's definitions.
  open: async (context) => (await import("./webhook-writer.js")).openWebhookWriter(context)
})
