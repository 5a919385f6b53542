import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { QuotaLedger, quotaSpentByApi, takeQuota } from "@tikflow/core"

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "tikflow-quota-")) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

const day = (iso: string) => Date.parse(iso)

describe("QuotaLedger", () => {
  it("grants up to the limit, then refuses until 00:00 UTC", async () => {
    const ledger = new QuotaLedger({ limit: 3, path: join(dir, "quota.json") })
    const now = day("2026-03-01T23:59:00Z")
    const granted = []
    for (let i = 0; i < 5; i++) granted.push((await ledger.consume(now)).granted)
    expect(granted).toEqual([true, true, true, false, false])
    const refused = await ledger.consume(now)
    expect(refused.snapshot).toMatchObject({ used: 3, limit: 3, resetAt: "2026-03-02T00:00:00.000Z" })
    expect((await ledger.consume(day("2026-03-02T00:00:00Z"))).granted).toBe(true)
    expect(JSON.parse(await readFile(join(dir, "quota.json"), "utf8"))).toEqual({ version: 1, day: "2026-03-02", used: 1 })
  })

  test.prop([fc.integer({ min: 1, max: 30 }), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 2, maxLength: 4 })], { numRuns: 8 })(
    "separate ledgers sharing one file never grant more than the limit in total",
    async (limit, demands) => {
      const path = join(dir, `shared-${limit}-${demands.join("-")}.json`)
      const now = day("2026-03-01T12:00:00Z")
      const results = await Promise.all(demands.map(async (n) => {
        const ledger = new QuotaLedger({ limit, path })
        const outcomes = await Promise.all(Array.from({ length: n }, () => ledger.consume(now)))
        return outcomes.filter((o) => o.granted).length
      }))
      const total = demands.reduce((a, b) => a + b, 0)
      expect(results.reduce((a, b) => a + b, 0)).toBe(Math.min(limit, total))
      expect((await new QuotaLedger({ limit, path }).snapshot(now)).used).toBe(Math.min(limit, total))
    }
  )

  it("stop: fails with QuotaExhaustedError; wait: sleeps until the reset", async () => {
    const ledger = new QuotaLedger({ limit: 1 })
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(day("2026-03-01T22:00:00Z"))
      yield* takeQuota(ledger, { onExhausted: "stop" })
      const stopped = yield* Effect.exit(takeQuota(ledger, { onExhausted: "stop" }))
      expect(Exit.isFailure(stopped) && JSON.stringify(stopped.cause)).toContain("QuotaExhaustedError")
      const waiting = yield* Effect.forkChild(takeQuota(ledger, { onExhausted: "wait" }))
      yield* TestClock.adjust("119 minutes")
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 minutes")
      const snapshot = yield* Fiber.join(waiting)
      expect(snapshot).toMatchObject({ used: 1, resetAt: "2026-03-03T00:00:00.000Z" })
    })
    await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
  })

  it("a daily-quota 429 marks the day spent", async () => {
    const ledger = new QuotaLedger({ limit: 10 })
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(day("2026-03-01T10:00:00Z"))
      const exit = yield* Effect.exit(quotaSpentByApi(ledger, { onExhausted: "stop" }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect((yield* Effect.exit(takeQuota(ledger, { onExhausted: "stop" })))._tag).toBe("Failure")
    })
    await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
  })
})
