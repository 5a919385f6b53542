import type { Video } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { WebhookPayload } from "../src/internal.js"
import { idempotencyKey, recordKeyOf, resolveSink, verifySignature, webhookSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sampleVideo } from "./support/records.js"
import type { Behaviour } from "./support/webhook-server.js"
import { startWebhookServer } from "./support/webhook-server.js"

const SECRET = "s3cr3t-never-shown"
const fast = "backoff_ms=2&backoff_cap_ms=10"

const videos = (n: number, from = 0): Array<Video> => Array.from({ length: n }, (_, i) => sampleVideo(from + i))

/** The key a batch of videos must carry: its records' ids, whatever its epoch or position. */
const keyOfVideos = (records: ReadonlyArray<unknown>, harvestId = "harvest-1") =>
  idempotencyKey(harvestId, "videos", records.map((r) => recordKeyOf(["id"], r as object)))

const run = async (uri: string, epochs: ReadonlyArray<ReadonlyArray<Video>>, harvestId = "harvest-1") => {
  const context = streamContext("video", { stream: "videos", harvestId })
  const writer = await resolveSink(uri).open(context)
  let error: unknown
  try {
    for (const [i, records] of epochs.entries()) {
      await writer.write({ records, epoch: i + 1 })
      await writer.flush({ epoch: i + 1, checkpoint: checkpoint(i + 1, harvestId) })
    }
  } catch (e) {
    error = e
  }
  await writer.close()
  return { context, error }
}

describe("webhook sink", () => {
  it("POSTs signed batches with stable idempotency keys", async () => {
    const server = await startWebhookServer(() => ({ status: 200 }))
    const { error } = await run(`webhook:${server.url}?secret=${SECRET}&batch_size=10`, [videos(25), videos(5, 25)])
    await server.close()
    expect(error).toBeUndefined()
    expect(server.received).toHaveLength(4)
    const payloads = server.received.map((r) => JSON.parse(r.body) as WebhookPayload)
    for (const [i, r] of server.received.entries()) {
      expect(verifySignature(SECRET, r.body, r.headers["x-tikflow-signature"] as string)).toBe(true)
      const p = payloads[i]
      expect(r.headers["idempotency-key"]).toBe(keyOfVideos(p.records))
    }
    expect(payloads.map((p) => [p.epoch, p.batch_seq, p.records.length]).sort()).toEqual([[1, 0, 10], [1, 1, 10], [1, 2, 5], [2, 0, 5]])
    expect(payloads.flatMap((p) => p.records.map((r) => (r as Video).id)).sort()).toEqual(videos(30).map((v) => v.id).sort())
    expect(verifySignature("wrong", server.received[0].body, server.received[0].headers["x-tikflow-signature"] as string)).toBe(false)
  })

  it("what a JSON body cannot hold: an added field's NaN or symbol-keyed property is refused before any POST, naming the column and the record; a float's NaN is sent null and counted", async () => {
    const server = await startWebhookServer(() => ({ status: 200 }))
    const writer = await resolveSink(`webhook:${server.url}?unsigned=true`).open(streamContext("video", { stream: "videos", addedFields: ["author"] }))
    const bad = { ...sampleVideo(2), author: { score: NaN } }
    // JSON.stringify sent {"score":null}.
    await expect(writer.write({ records: [{ ...sampleVideo(1), author: null }, bad] as never, epoch: 1 })).rejects.toThrow(`author: expected a JSON value, got NaN in it (video ${bad.id})`)
    // JSON.stringify sent {"n":1}, the symbol-keyed property dropped.
    const keyed = { ...sampleVideo(4), author: { n: 1, [Symbol("s")]: 2 } }
    await expect(writer.write({ records: [keyed] as never, epoch: 1 })).rejects.toThrow(`author: expected a JSON value, got the symbol key Symbol(s) in it (video ${keyed.id})`)
    expect(await writer.write({ records: [{ ...sampleVideo(3), author: { n: 1 }, video_duration: Infinity }] as never, epoch: 1 }))
      .toEqual([{ column: "video_duration", reason: "non-finite-null", count: 1 }])
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    await server.close()
    const records = server.received.flatMap((r) => (JSON.parse(r.body) as WebhookPayload).records as Array<Video>)
    expect(records.map((record) => [record.id, record.video_duration])).toEqual([[sampleVideo(3).id, null]])
  })

  test.prop([fc.array(fc.constantFrom<Behaviour>({ status: 500 }, { status: 429 }, { status: 503 }, "reset", { status: 200 }, { status: 200, delayMs: 5 }, { status: 200, delayMs: 400 }), { minLength: 1, maxLength: 30 })], {
    numRuns: 8
  })("retries 5xx/429/resets/stalls: every batch delivered, duplicates carry the same key and body", async (script) => {
    const server = await startWebhookServer((_, i) => script[i] ?? { status: 200 })
    const { error } = await run(`webhook:${server.url}?secret=${SECRET}&batch_size=4&concurrency=3&retries=40&timeout_ms=150&${fast}`, [videos(20), videos(12, 20)])
    await server.close()
    expect(error).toBeUndefined()
    const byKey = new Map<string, Set<string>>()
    for (const r of server.received) {
      const key = r.headers["idempotency-key"] as string
      byKey.set(key, (byKey.get(key) ?? new Set()).add(r.body))
      expect(verifySignature(SECRET, r.body, r.headers["x-tikflow-signature"] as string)).toBe(true)
    }
    expect(byKey.size).toBe(5 + 3)
    for (const bodies of byKey.values()) expect(bodies.size).toBe(1)
    const delivered = new Set([...byKey.values()].flatMap((b) => [...b].flatMap((body) => (JSON.parse(body) as WebhookPayload).records.map((v) => (v as Video).id))))
    expect(delivered).toEqual(new Set(videos(32).map((v) => v.id)))
  })

  it("a stalled request times out and is retried with the same key", async () => {
    // The first answer comes long after timeout_ms: the client gives up and retries.
    const server = await startWebhookServer((_, i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 }))
    const { error } = await run(`webhook:${server.url}?secret=${SECRET}&timeout_ms=100&${fast}`, [videos(3)])
    await server.close()
    expect(error).toBeUndefined()
    expect(server.received.length).toBeGreaterThanOrEqual(2)
    expect(new Set(server.received.map((r) => r.headers["idempotency-key"])).size).toBe(1)
  })

  it("cancelling the run fails the flush without dead-lettering (the epoch is sent again on resume)", async () => {
    const dir = await tempDir()
    const server = await startWebhookServer(() => ({ status: 200, delayMs: 2000 }))
    const abort = new AbortController()
    const context = streamContext("video", { stream: "videos", signal: abort.signal })
    const writer = await resolveSink(`webhook:${server.url}?secret=${SECRET}&dead_letter=${join(dir, "d.ndjson")}`).open(context)
    await writer.write({ records: videos(3), epoch: 1 })
    setTimeout(() => abort.abort(), 50)
    await expect(writer.flush({ epoch: 1, checkpoint: checkpoint(1) })).rejects.toThrow(/1 batch\(es\) .* not delivered before the run was cancelled/)
    await writer.close()
    await server.close()
    await expect(readFile(join(dir, "d.ndjson"), "utf8")).rejects.toThrow(/ENOENT/)
  })

  test.prop([fc.array(fc.constantFrom<Behaviour>({ status: 500 }, { status: 429 }, "reset", { status: 400 }, { status: 200 }), { minLength: 1, maxLength: 40 })], {
    numRuns: 8
  })("with few retries, the dead letters are exactly the batches that never got a 2xx", async (script) => {
    const dir = await tempDir()
    const deadLetter = join(dir, "dead.ndjson")
    const server = await startWebhookServer((_, i) => script[i] ?? { status: 200 })
    const answered = new Set<string>()
    const { error } = await run(
      `webhook:${server.url}?secret=${SECRET}&batch_size=3&concurrency=2&retries=1&dead_letter=${deadLetter}&dead_letter_ok=true&${fast}`,
      [videos(15)]
    )
    await server.close()
    expect(error).toBeUndefined()
    const all = new Set<string>()
    for (const [i, r] of server.received.entries()) {
      const key = r.headers["idempotency-key"] as string
      all.add(key)
      const behaviour = script[i] ?? { status: 200 }
      if (behaviour !== "reset" && behaviour.status === 200) answered.add(key)
    }
    const letters = await readFile(deadLetter, "utf8").then(
      (text) => text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { idempotency_key: string; payload: WebhookPayload }),
      () => []
    )
    expect(all.size).toBe(5)
    expect(new Set(letters.map((l) => l.idempotency_key))).toEqual(new Set([...all].filter((k) => !answered.has(k))))
    for (const l of letters) expect(l.idempotency_key).toBe(keyOfVideos(l.payload.records))
  })

  it("a resumed run that regroups an epoch loses nothing at a receiver keeping the first body per key", async () => {
    // The receiver the idempotency contract invites: the first body per key wins, later ones are dropped.
    const kept = new Map<string, string>()
    const server = await startWebhookServer((r) => {
      const key = r.headers["idempotency-key"] as string
      if (!kept.has(key)) kept.set(key, r.body)
      return { status: 200 }
    })
    const uri = `webhook:${server.url}?secret=${SECRET}&batch_size=3`
    // Run 1: epoch 1 committed; epoch 2 POSTed (every batch got its 2xx) but the run died before its checkpoint.
    const first = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    await first.write({ records: videos(6), epoch: 1 })
    await first.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await first.write({ records: videos(6, 6), epoch: 2 })
    await first.close()
    // Run 2 resumes after epoch 1. Windows are harvested concurrently, so its epoch 2 holds another
    // window's page first, and the API repeats the last record of epoch 1 at the top of the next page:
    // other records now sit at the positions run 1 used.
    const second = await resolveSink(uri).open(streamContext("video", { stream: "videos", resume: { epoch: 1 } }))
    await second.write({ records: [...videos(3, 100), ...videos(7, 5)], epoch: 2 })
    await second.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await second.close()
    await server.close()
    const keptIds = new Set([...kept.values()].flatMap((body) => (JSON.parse(body) as WebhookPayload).records.map((v) => (v as Video).id)))
    expect(keptIds).toEqual(new Set([...videos(12), ...videos(3, 100)].map((v) => v.id)))
    // The same records under one key carry the same records (a retry or a re-send), never others.
    for (const r of server.received) {
      expect(r.headers["idempotency-key"]).toBe(keyOfVideos((JSON.parse(r.body) as WebhookPayload).records))
    }
  })

  test.prop([fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 })])(
    "one key, one set of records: whatever the epochs and positions, equal keys mean equal record keys",
    (batches) => {
      const byKey = new Map<string, string>()
      for (const [position, ids] of batches.entries()) {
        const key = keyOfVideos(ids.map((i) => sampleVideo(i)))
        const records = JSON.stringify([...ids].sort())
        expect(byKey.get(key) ?? records, `batch #${position}`).toBe(records)
        byKey.set(key, records)
      }
      expect(keyOfVideos([sampleVideo(1), sampleVideo(2)], "harvest-2")).not.toBe(keyOfVideos([sampleVideo(1), sampleVideo(2)]))
    }
  )

  it("keeps at most `concurrency` POSTs in flight", async () => {
    const server = await startWebhookServer(() => ({ status: 200, delayMs: 100 }))
    const { error } = await run(`webhook:${server.url}?secret=${SECRET}&batch_size=1&concurrency=2`, [videos(10)])
    await server.close()
    expect(error).toBeUndefined()
    expect(server.received).toHaveLength(10)
    expect(server.maxInFlight).toBe(2)
  })

  it("dead-letters what never got a 2xx and fails the run loudly, without the secret", async () => {
    const dir = await tempDir()
    const deadLetter = join(dir, "dead.ndjson")
    // Batch 0 always fails with 500 (retries exhausted); batch 1 is refused with 400 (permanent); batch 2 succeeds.
    const server = await startWebhookServer((r) => {
      const p = JSON.parse(r.body) as WebhookPayload
      return p.batch_seq === 0 ? { status: 500 } : p.batch_seq === 1 ? { status: 400 } : { status: 200 }
    })
    const { context, error } = await run(`webhook:${server.url}?secret=${SECRET}&batch_size=5&retries=3&dead_letter=${deadLetter}&${fast}`, [videos(15)])
    await server.close()
    expect(String(error)).toMatch(/2 batch\(es\) to http:\/\/127\.0\.0\.1:\d+\/hook never got a 2xx and were dead-lettered/)
    const letters = (await readFile(deadLetter, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { payload: WebhookPayload; attempts: number; error: string; idempotency_key: string })
    expect(letters.map((l) => [l.payload.batch_seq, l.attempts, l.error]).sort()).toEqual([[0, 4, "HTTP 500"], [1, 1, "HTTP 400"]])
    expect(letters.flatMap((l) => l.payload.records.map((v) => (v as Video).id)).sort()).toEqual(videos(10).map((v) => v.id).sort())
    expect(server.received.filter((r) => (JSON.parse(r.body) as WebhookPayload).batch_seq === 2)).toHaveLength(1)
    for (const text of [await readFile(deadLetter, "utf8"), String(error), (error as Error).message, context.logger.lines.join("\n")]) {
      expect(text).not.toContain(SECRET)
    }
  })

  it("dead_letter_ok lets the run finish, still writing the dead letters", async () => {
    const dir = await tempDir()
    const server = await startWebhookServer(() => ({ status: 422 }))
    const { context, error } = await run(`webhook:${server.url}?secret=${SECRET}&dead_letter=${join(dir, "d.ndjson")}&dead_letter_ok=true`, [videos(3)])
    await server.close()
    expect(error).toBeUndefined()
    expect((await readFile(join(dir, "d.ndjson"), "utf8")).trim().split("\n")).toHaveLength(1)
    expect(context.logger.lines.some((l) => l.startsWith("warn") && l.includes("dead-lettered"))).toBe(true)
  })

  it("network errors (nothing listening) are retried, then dead-lettered", async () => {
    const dir = await tempDir()
    const server = await startWebhookServer(() => ({ status: 200 }))
    await server.close()
    const { error } = await run(`webhook:${server.url}?secret_env=HOOK_SECRET_TEST&unsigned=true&retries=2&dead_letter=${join(dir, "d.ndjson")}&${fast}`, [videos(2)])
    expect(String(error)).toMatch(/1 batch\(es\).*dead-lettered/)
    const [letter] = (await readFile(join(dir, "d.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { attempts: number; error: string })
    expect(letter.attempts).toBe(3)
    expect(letter.error).toMatch(/^network error/)
  })

  it("a resumed writer (contract 2 hook) says, before its first POST, that later epochs' batches come again under the same keys", async () => {
    expect(webhookSink.contract).toBe(3)
    const server = await startWebhookServer(() => ({ status: 200 }))
    const context = streamContext("video", { stream: "videos", resume: { epoch: 3 } })
    const writer = await resolveSink(`webhook:${server.url}?unsigned=true`).open(context)
    expect(context.logger.lines).toEqual([])
    await writer.write({ records: videos(2), epoch: 4 })
    await writer.flush({ epoch: 4, checkpoint: checkpoint(4) })
    await writer.close()
    await server.close()
    expect(context.logger.lines).toEqual([`info videos: ${server.url} may receive again the batches of epochs after 3 (same Idempotency-Key)`])
    expect(server.received).toHaveLength(1)
  })

  it("config: a secret is required unless unsigned; the env variable works; bad values name the option", () => {
    const previous = process.env.TIKFLOW_WEBHOOK_SECRET
    delete process.env.TIKFLOW_WEBHOOK_SECRET
    try {
      expect(() => resolveSink("webhook:http://127.0.0.1:9/x")).toThrow(/secret: expected a shared secret/)
      process.env.TIKFLOW_WEBHOOK_SECRET = SECRET
      expect(resolveSink("webhook:http://127.0.0.1:9/x").name).toBe("webhook:http://127.0.0.1:9/x")
    } finally {
      if (previous === undefined) delete process.env.TIKFLOW_WEBHOOK_SECRET
      else process.env.TIKFLOW_WEBHOOK_SECRET = previous
    }
    expect(() => resolveSink("webhook:ftp://x/y?unsigned=true")).toThrow(/location: expected an http\(s\) URL/)
    expect(() => resolveSink("webhook:http://x/y?unsigned=true&concurrency=0")).toThrow(/concurrency: expected an integer from 1 to 256, got "0"/)
    expect(() => resolveSink({ uri: "webhook:http://user:pw@x/y", options: { secret: SECRET, retries: -1 } })).toThrow(/retries: expected an integer/)
    try {
      resolveSink({ uri: "webhook:http://x/y", options: { secret: SECRET, retries: -1 } })
    } catch (e) {
      expect((e as Error).message).not.toContain(SECRET)
    }
  })
})
