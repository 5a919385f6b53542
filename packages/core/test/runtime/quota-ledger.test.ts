import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  clientKeyHash,
  FileQuotaStore,
  machineQuotaLedgerPath,
  MemoryQuotaStore,
  QuotaLedger,
  quotaSpentByApi,
  type QuotaStore,
  takeHeldQuota,
  takeQuota
} from "@tikflow/core/internal"

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "tikflow-quota-")) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

const day = (iso: string) => Date.parse(iso)
const noon = day("2026-03-01T12:00:00Z")

/** The pid of a process that has exited: what a SIGKILLed harvest leaves in a lock or a ledger. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" })
  return Number(child.stdout)
}

/** A store that counts the calls reaching it: how often the file is locked and rewritten. */
const counting = (store: QuotaStore) => {
  const calls = { reserve: 0, settle: 0 }
  const wrapped: QuotaStore = {
    location: store.location,
    reserve: (r) => (calls.reserve++, store.reserve(r)),
    settle: (r) => (calls.settle++, store.settle(r)),
    exhaust: (d, l) => store.exhaust(d, l),
    read: (d) => store.read(d)
  }
  return { store: wrapped, calls }
}

describe("QuotaLedger", () => {
  it("grants up to the limit, then refuses until 00:00 UTC", async () => {
    const path = join(dir, "quota.json")
    const ledger = new QuotaLedger({ limit: 3, path })
    const now = day("2026-03-01T23:59:00Z")
    const granted = []
    for (let i = 0; i < 5; i++) granted.push((await ledger.consume(now)).granted)
    expect(granted).toEqual([true, true, true, false, false])
    const refused = await ledger.consume(now)
    expect(refused.snapshot).toMatchObject({ used: 3, reserved: 0, limit: 3, resetAt: "2026-03-02T00:00:00.000Z" })
    expect((await ledger.consume(day("2026-03-02T00:00:00Z"))).granted).toBe(true)
    await ledger.close()
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ version: 2, day: "2026-03-02", used: 1, holders: {} })
  })

  it("reserves in blocks and settles in batches: 100 requests take at most one locked write per half block, not 100", async () => {
    const { store, calls } = counting(new FileQuotaStore(join(dir, "quota.json")))
    const ledger = new QuotaLedger({ limit: 1000, store })
    for (let i = 0; i < 100; i++) expect((await ledger.consume(noon)).granted).toBe(true)
    // A block of 10, topped up once 5 or more are spent.
    expect(calls.reserve).toBeLessThanOrEqual(1 + Math.ceil(100 / 5))
    await ledger.close()
    expect(calls.settle).toBe(1)
    expect(await store.read("2026-03-01")).toEqual({ day: "2026-03-01", used: 100, reserved: 0, held: 0 })
  })

  it("blocks are 1% of the day's limit, at least 10 and at most 100: with 100,000 a day, 500 requests take ~10x fewer locked writes than with 1,000", async () => {
    const blocksOf = async (limit: number) => {
      const { store, calls } = counting(new MemoryQuotaStore())
      const ledger = new QuotaLedger({ limit, store })
      expect((await ledger.consume(noon)).granted).toBe(true)
      const reserved = (await store.read("2026-03-01")).reserved
      for (let i = 1; i < 500; i++) await ledger.consume(noon)
      await ledger.close()
      return { reserved, writes: calls.reserve }
    }
    // The first block, then a top-up each time half a block is spent.
    expect(await blocksOf(1000)).toEqual({ reserved: 10, writes: 100 })
    expect(await blocksOf(5000)).toEqual({ reserved: 50, writes: 20 })
    expect(await blocksOf(100_000)).toEqual({ reserved: 100, writes: 10 })
    expect(await blocksOf(10_000_000)).toEqual({ reserved: 100, writes: 10 })
  })

  it("takeHeld hands out the held block without the store, and says when the next block must come from it", async () => {
    const { store, calls } = counting(new MemoryQuotaStore())
    const ledger = new QuotaLedger({ limit: 1000, maxBlock: 4, store })
    const events: Array<unknown> = []
    // Nothing held yet: the plain check takes nothing and leaves the store alone.
    expect(takeHeldQuota(ledger, noon, (e) => events.push(e))).toBeUndefined()
    expect(calls.reserve).toBe(0)
    const first = await ledger.take(noon)
    expect(first.granted).toBe(true)
    const held = [1, 2, 3].map(() => takeHeldQuota(ledger, noon, (e) => events.push(e)))
    expect(held.every((ticket) => ticket !== undefined)).toBe(true)
    expect(calls.reserve).toBe(1)
    expect(events).toEqual([1, 2, 3].map(() => expect.objectContaining({ type: "quota", limit: 1000 })))
    expect(ledger.takeHeld(noon)).toBeUndefined()
    for (const ticket of held) ticket?.charge()
    if (first.granted) first.ticket.charge()
    await ledger.close()
    expect(await store.read("2026-03-01")).toEqual({ day: "2026-03-01", used: 4, reserved: 0, held: 0 })
  })

  it("tops the block up in the background: requests go on with the units left while the store's change is slow", async () => {
    const memory = new MemoryQuotaStore()
    const gates: Array<() => void> = []
    let reserves = 0
    // Every reservation after the first waits until the test lets it through: a slow, locked, fsynced change.
    const store: QuotaStore = {
      location: memory.location,
      reserve: async (request) => {
        if (reserves++ > 0) await new Promise<void>((resolve) => gates.push(resolve))
        return memory.reserve(request)
      },
      settle: (request) => memory.settle(request),
      exhaust: (d, l) => memory.exhaust(d, l),
      read: (d) => memory.read(d)
    }
    const ledger = new QuotaLedger({ limit: 1000, maxBlock: 8, store })
    const first = await ledger.take(noon)
    if (!first.granted) throw new Error("refused")
    first.ticket.charge()
    // Half the block spent: the top-up starts, and the other units are handed out meanwhile, without waiting.
    for (let i = 0; i < 7; i++) ledger.takeHeld(noon)?.ticket.charge()
    await new Promise((resolve) => setImmediate(resolve))
    expect(reserves).toBe(2)
    expect(ledger.takeHeld(noon)).toBeUndefined()
    // A take that finds the block empty waits for the top-up on its way, not for a reservation of its own.
    const waiting = ledger.take(noon)
    await new Promise((resolve) => setImmediate(resolve))
    expect(reserves).toBe(2)
    gates.shift()!()
    const granted = await waiting
    expect(granted.granted).toBe(true)
    if (granted.granted) granted.ticket.charge()
    // What the top-up brought back: never more than a block unsent (a SIGKILL strands at most that).
    expect((await store.read("2026-03-01")).reserved).toBeLessThanOrEqual(8)
    while (gates.length > 0) gates.shift()!()
    await ledger.close()
    expect(await store.read("2026-03-01")).toMatchObject({ used: 9, reserved: 0 })
  })

  test.prop([
    fc.integer({ min: 1, max: 12 }),
    fc.array(fc.constantFrom("take", "charge", "refund", "yield"), { minLength: 1, maxLength: 80 })
  ], { numRuns: 60 })(
    "whatever the requests do, units handed out never exceed the limit, and the units left to hand out never exceed a block (plus the units refunded: requests that never left give theirs back)",
    async (maxBlock, steps) => {
      const store = new MemoryQuotaStore()
      const limit = 40
      const ledger = new QuotaLedger({ limit, maxBlock, store })
      const out: Array<{ charge(): void; refund(): void }> = []
      let granted = 0
      let charged = 0
      let refunded = 0
      for (const step of steps) {
        if (step === "take") {
          const taken = ledger.takeHeld(noon) ?? await ledger.take(noon)
          if (taken.granted) {
            granted++
            out.push(taken.ticket)
          }
        } else if (step === "yield") {
          await new Promise((resolve) => setImmediate(resolve))
        } else if (out.length > 0) {
          const ticket = out.shift()!
          if (step === "charge") {
            ticket.charge()
            charged++
          } else {
            ticket.refund()
            refunded++
          }
        }
        const usage = await store.read("2026-03-01")
        // Held by us in the store, less what is spent (charged, committed or not) and in flight: left to hand out.
        expect(usage.reserved - (charged - usage.used) - out.length).toBeLessThanOrEqual(maxBlock + refunded)
        expect(granted).toBeLessThanOrEqual(limit)
      }
      await ledger.close()
      expect(await store.read("2026-03-01")).toMatchObject({ used: charged + out.length, reserved: 0 })
    }
  )

  it("a refunded unit (the request never left) is not counted, and goes back to the block", async () => {
    const store = new MemoryQuotaStore()
    const ledger = new QuotaLedger({ limit: 2, store })
    for (let i = 0; i < 25; i++) {
      const taken = await ledger.take(noon)
      if (!taken.granted) throw new Error("refused")
      taken.ticket.refund()
    }
    const sent = await ledger.take(noon)
    if (!sent.granted) throw new Error("refused")
    sent.ticket.charge()
    sent.ticket.refund() // a ticket settles once: the later call changes nothing
    await ledger.close()
    expect(await store.read("2026-03-01")).toMatchObject({ used: 1, reserved: 0 })
  })

  it("a unit still in flight at close is counted as sent (the request may have left)", async () => {
    const store = new MemoryQuotaStore()
    const ledger = new QuotaLedger({ limit: 10, store })
    const taken = await ledger.take(noon)
    await ledger.close()
    if (taken.granted) taken.ticket.refund() // too late: close counted it
    expect(await store.read("2026-03-01")).toMatchObject({ used: 1, reserved: 0 })
  })

  test.prop([
    fc.integer({ min: 1, max: 40 }),
    fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 2, maxLength: 4 }),
    fc.integer({ min: 1, max: 10 })
  ], { numRuns: 12 })(
    "ledgers sharing one file never grant more than the limit together, and closing gives back every unsent unit",
    async (limit, demands, maxBlock) => {
      const path = join(dir, `shared-${limit}-${maxBlock}-${demands.join("-")}.json`)
      const ledgers = demands.map(() => new QuotaLedger({ limit, path, maxBlock }))
      const grants = await Promise.all(demands.map(async (n, i) => {
        const outcomes = await Promise.all(Array.from({ length: n }, () => ledgers[i].consume(noon)))
        return outcomes.filter((o) => o.granted).length
      }))
      const granted = grants.reduce((a, b) => a + b, 0)
      expect(granted).toBeLessThanOrEqual(limit)
      await Promise.all(ledgers.map((l) => l.close()))
      expect(await new FileQuotaStore(path).read("2026-03-01")).toEqual({ day: "2026-03-01", used: granted, reserved: 0, held: 0 })
    }
  )

  test.prop([fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 })], { numRuns: 12 })(
    "runs one after another strand nothing: together they get exactly min(limit, demand)",
    async (limit, demands) => {
      const path = join(dir, `seq-${limit}-${demands.join("-")}.json`)
      let granted = 0
      for (const n of demands) {
        const ledger = new QuotaLedger({ limit, path })
        for (let i = 0; i < n; i++) if ((await ledger.consume(noon)).granted) granted++
        await ledger.close()
      }
      expect(granted).toBe(Math.min(limit, demands.reduce((a, b) => a + b, 0)))
    }
  )

  it("a refused take says when units held by another running ledger may come back", async () => {
    const path = join(dir, "quota.json")
    const holder = new QuotaLedger({ limit: 8, path })
    expect((await holder.consume(noon)).granted).toBe(true) // reserves a block of 1 (8 free / 8)
    const other = new QuotaLedger({ limit: 8, path })
    for (let i = 0; i < 7; i++) expect((await other.consume(noon)).granted).toBe(true)
    const refused = await other.take(noon)
    expect(refused).toMatchObject({ granted: false, mayFree: true })
    await holder.close()
    const after = await other.take(noon)
    expect(after).toMatchObject({ granted: false, mayFree: false, snapshot: { used: 8, reserved: 0 } })
  })

  it("a crashed holder's block stays counted, as used (it may have been sent), and its entry goes", async () => {
    const path = join(dir, "quota.json")
    const pid = deadPid()
    await writeFile(path, JSON.stringify({
      version: 2,
      day: "2026-03-01",
      used: 5,
      holders: { crashed: { pid, host: hostname(), units: 7 }, elsewhere: { pid, host: `not-${hostname()}`, units: 2 } }
    }))
    const ledger = new QuotaLedger({ limit: 20, path })
    expect(await ledger.snapshot(noon)).toMatchObject({ used: 12, reserved: 2 })
    expect((await ledger.consume(noon)).granted).toBe(true)
    await ledger.close()
    const file = JSON.parse(await readFile(path, "utf8"))
    expect(file).toMatchObject({ used: 13, holders: { elsewhere: { units: 2 } } })
    expect(file.holders.crashed).toBeUndefined()
  })

  it("reads a version-1 ledger, and refuses a corrupt one with a one-line error naming the file", async () => {
    const path = join(dir, "quota.json")
    await writeFile(path, JSON.stringify({ version: 1, day: "2026-03-01", used: 9 }))
    expect(await new QuotaLedger({ limit: 10, path }).snapshot(noon)).toMatchObject({ used: 9 })
    await writeFile(path, "{not json")
    await expect(new QuotaLedger({ limit: 10, path }).consume(noon)).rejects.toThrow(/^quota ledger .*quota\.json: expected \{"version":2.*corrupt/)
  })

  it("a block settled after midnight does not overwrite the new day's count", async () => {
    const path = join(dir, "quota.json")
    const late = new QuotaLedger({ limit: 100, path })
    expect((await late.consume(day("2026-03-01T23:59:59Z"))).granted).toBe(true)
    const tomorrow = new QuotaLedger({ limit: 100, path })
    expect((await tomorrow.consume(day("2026-03-02T00:00:01Z"))).granted).toBe(true)
    await tomorrow.close()
    await late.close()
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ day: "2026-03-02", used: 1 })
  })

  it("breaks a lock left by a dead process at once (not after a timeout), and removes its own", async () => {
    const path = join(dir, "quota.json")
    await writeFile(`${path}.lock`, `${deadPid()}@${hostname()}`)
    // Dated an hour ahead, the lock can only be judged stale by its dead pid, never by its age.
    const future = new Date(Date.now() + 3_600_000)
    await utimes(`${path}.lock`, future, future)
    const ledger = new QuotaLedger({ limit: 10, path })
    expect((await ledger.consume(noon)).granted).toBe(true)
    await ledger.close()
    expect(existsSync(`${path}.lock`)).toBe(false)
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ used: 1 })
  })

  it("breaks an empty or torn lock (a writer killed while creating it) at once: locks are created whole", async () => {
    const path = join(dir, "quota.json")
    for (const torn of ["", "12"]) {
      await writeFile(`${path}.lock`, torn)
      // Dated an hour ahead: only its content can tell this lock is nobody's, never its age.
      const future = new Date(Date.now() + 3_600_000)
      await utimes(`${path}.lock`, future, future)
      const ledger = new QuotaLedger({ limit: 10, path })
      expect((await ledger.consume(noon)).granted).toBe(true)
      await ledger.close()
      expect(existsSync(`${path}.lock`)).toBe(false)
    }
    // Nothing of the lock's creation is left beside it (its tag is written to a temp file, then linked).
    expect((await readdir(dir)).filter((name) => name.includes(".lock"))).toEqual([])
  })

  it("stop: fails with QuotaExhaustedError; wait: sleeps until the reset", async () => {
    const ledger = new QuotaLedger({ limit: 1 })
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(day("2026-03-01T22:00:00Z"))
      const ticket = yield* takeQuota(ledger, { onExhausted: "stop" })
      ticket.charge()
      const stopped = yield* Effect.exit(takeQuota(ledger, { onExhausted: "stop" }))
      expect(Exit.isFailure(stopped) && JSON.stringify(stopped.cause)).toContain("QuotaExhaustedError")
      const waiting = yield* Effect.forkChild(takeQuota(ledger, { onExhausted: "wait" }))
      yield* TestClock.adjust("119 minutes")
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 minutes")
      const next = yield* Fiber.join(waiting)
      next.charge()
      expect(yield* Effect.promise(() => ledger.snapshot(day("2026-03-02T00:00:00Z")))).toMatchObject({ used: 1, resetAt: "2026-03-03T00:00:00.000Z" })
    })
    await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
  })

  it("a refused take polls while another running ledger holds units, and gets them when it gives them back", async () => {
    const store = new MemoryQuotaStore()
    const holder = new QuotaLedger({ limit: 2, store, maxBlock: 2 })
    const waiter = new QuotaLedger({ limit: 2, store })
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(noon)
      // The holder has both units out, in flight.
      yield* Effect.promise(() => holder.take(noon))
      const second = yield* Effect.promise(() => holder.take(noon))
      const waiting = yield* Effect.forkChild(takeQuota(waiter, { onExhausted: "stop" }))
      yield* TestClock.adjust("1 second")
      expect(waiting.pollUnsafe()).toBeUndefined()
      if (second.granted) second.ticket.refund() // that request never left…
      yield* Effect.promise(() => holder.close()) // …so close gives its unit back (the other, in flight, counts as sent)
      yield* TestClock.adjust("1 second")
      const ticket = yield* Fiber.join(waiting)
      ticket.charge()
    })
    await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
    await waiter.close()
    expect(await store.read("2026-03-01")).toMatchObject({ used: 2, reserved: 0 })
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

describe("machineQuotaLedgerPath", () => {
  it("is one file per client key under $XDG_STATE_HOME/tikflow, named by a hash, never the key", () => {
    const key = "aw1234secretish"
    const path = machineQuotaLedgerPath(key, { XDG_STATE_HOME: "/state" })
    expect(path).toBe(`/state/tikflow/quota/${clientKeyHash(key)}.json`)
    expect(path).not.toContain(key)
    expect(clientKeyHash(key)).toMatch(/^[0-9a-f]{16}$/)
    expect(machineQuotaLedgerPath("another", { XDG_STATE_HOME: "/state" })).not.toBe(path)
  })

  it("falls back to ~/.local/state/tikflow (a relative XDG_STATE_HOME is ignored, per the XDG spec)", () => {
    expect(machineQuotaLedgerPath("k", { HOME: "/home/u" })).toBe(`/home/u/.local/state/tikflow/quota/${clientKeyHash("k")}.json`)
    expect(machineQuotaLedgerPath("k", { HOME: "/home/u", XDG_STATE_HOME: "rel" })).toMatch(/^\/home\/u\/\.local\/state\//)
  })
})
