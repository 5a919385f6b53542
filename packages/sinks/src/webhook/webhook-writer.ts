// The webhook sink's writer: loaded when a webhook sink opens (webhook-sink.ts defines the sink).
import type { SinkBatch, SinkContext, SinkWriter } from "@tikflow/core/internal"
import { setMaxListeners } from "node:events"
import { resolve } from "node:path"
import { Pool } from "undici"
import { jsonRecordsCheck } from "../schema/json-records.js"
import { deadLetterFile } from "./dead-letter.js"
import type { DeliveryTarget, WebhookPayload } from "./deliver-payload.js"
import { deliverPayload } from "./deliver-payload.js"
import { inFlightSet } from "./in-flight.js"
import { undeliveredTally } from "./undelivered.js"
import type { WebhookSinkConfig } from "./webhook-config.js"

const shownUrl = (url: URL): string => {
  const copy = new URL(url)
  copy.username = ""
  copy.password = ""
  return copy.toString()
}

/** Under the run's state directory (`--state`), not wherever the command happened to run. */
const deadLetterPathOf = (context: SinkContext<WebhookSinkConfig>): string =>
  context.config.deadLetter ??
    resolve(context.stateDir ?? ".tikflow", "dead-letter", `webhook-${context.stream.replace(/[^A-Za-z0-9_.-]/g, "_")}.ndjson`)

const openPool = (config: WebhookSinkConfig, signal: AbortSignal): Pool => {
  // Every POST in flight listens on the run's signal (plus the retry's wait): up to `concurrency`
  // at once is by design, not a leak, so raise Node's warning threshold to match.
  setMaxListeners(Math.max(10, 2 * config.concurrency + 10), signal)
  return new Pool(config.url.origin, { connections: config.concurrency })
}

/** Numbers each epoch's payloads from 0 (`batch_seq`). */
const payloadSequence = (context: SinkContext<WebhookSinkConfig>) => {
  let epochOfSeq: number | undefined
  let seq = 0
  return function* payloadsOf(batch: SinkBatch): Generator<WebhookPayload> {
    if (batch.epoch !== epochOfSeq) {
      epochOfSeq = batch.epoch
      seq = 0
    }
    for (let i = 0; i < batch.records.length; i += context.config.batchSize) {
      yield {
        harvest_id: context.harvestId,
        stream: context.stream,
        epoch: batch.epoch,
        batch_seq: seq++,
        records: batch.records.slice(i, i + context.config.batchSize)
      }
    }
  }
}

export const openWebhookWriter = async (context: SinkContext<WebhookSinkConfig>): Promise<SinkWriter> => {
  const { config } = context
  const url = shownUrl(config.url)
  const deadLetters = deadLetterFile(deadLetterPathOf(context))
  const undelivered = undeliveredTally({ url, deadLetterPath: deadLetters.path, deadLetterOk: config.deadLetterOk })
  const dispatcher = openPool(config, context.signal)
  const target: DeliveryTarget = {
    config,
    shownUrl: url,
    dispatcher,
    primaryKey: context.primaryKey,
    signal: context.signal,
    logger: context.logger,
    deadLetters,
    undelivered
  }
  const running = inFlightSet(config.concurrency)
  const payloadsOf = payloadSequence(context)
  // A body holds each record as JSON: a value it cannot hold is refused, a float's NaN counted (null).
  const check = jsonRecordsCheck(context.recordKind, context.addedFields, context.provenance)

  return {
    async discardUncommitted(resume) {
      // A POST cannot be taken back: the batches of later epochs come again with the same
      // Idempotency-Key, which is how the receiver drops them.
      if (resume !== undefined) {
        context.logger.info(`${context.stream}: ${url} may receive again the batches of epochs after ${resume.epoch} (same Idempotency-Key)`)
      }
    },
    async write(batch: SinkBatch) {
      undelivered.check()
      const changes = check(batch.records)
      for (const payload of payloadsOf(batch)) {
        // Bounded concurrency: wait for a slot before starting another POST.
        await running.whenSlotFree()
        running.add(deliverPayload(target, payload))
      }
      return changes
    },
    async flush() {
      // Durable means every POST so far got a 2xx; a dead-lettered batch fails the run unless opted in.
      await running.settle()
      undelivered.check()
      if (undelivered.deadLettered() > 0) {
        context.logger.warn(`${context.stream}: ${undelivered.deadLettered()} batch(es) dead-lettered to ${deadLetters.path} (dead_letter_ok)`)
        undelivered.resetDeadLetters()
      }
    },
    async close() {
      await running.settle()
      await dispatcher.close()
    }
  }
}
