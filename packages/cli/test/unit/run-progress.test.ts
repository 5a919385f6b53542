import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { type HarvestRecord, MemoryHistoryStore } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { beginRun, endRun, killedRun, withRunProgress } from "../../src/harvest/harvest-history.js"
import { readRunJournal, RunJournal, runJournalDir, settleDeadRuns } from "../../src/harvest/run-journal.js"
import { tempDir } from "../support/temp-dir.js"

const identity = { id: "videos-0123456789abcdef", endpoint: "videos", stream: "videos", request: { query: null } }
const plan = { type: "continue" as const, days: [["2024-01-01", "2024-01-02"] as const], refetched: [] }
const runner = (id: string) => ({ id, pid: 999_999_999, host: "elsewhere" })
const DAYS = ["2024-03-01", "2024-03-02", "2024-03-03"]

/** A run's events: a request on a day, one given back, an error of a kind, or an epoch commit. */
const event = fc.oneof(
  fc.record({ sent: fc.constantFrom(...DAYS) }),
  fc.record({ error: fc.constantFrom("server-error", "rate-limited") }),
  fc.constant({ commit: true as const })
)

describe("a run's progress in the harvest history", () => {
  test.prop([fc.array(fc.array(event, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })])(
    "written at any commits, then ended or killed: the harvest's requests and errors are the sums of what its runs sent and met, each counted once",
    (runs, killed) => {
      let record: HarvestRecord | undefined
      const want = { requests: {} as Record<string, number>, errors: {} as Record<string, number> }
      runs.forEach((events, r) => {
        const id = `run${r}`
        record = beginRun(record, identity, plan, [], "2024-03-01T00:00:00.000Z", runner(id))
        const tally = { requestsByDay: {} as Record<string, number>, errors: {} as Record<string, number> }
        for (const e of events) {
          if ("sent" in e) tally.requestsByDay[e.sent] = (tally.requestsByDay[e.sent] ?? 0) + 1
          else if ("error" in e) tally.errors[e.error] = (tally.errors[e.error] ?? 0) + 1
          else record = withRunProgress(record!, id, { ...tally, requestsByDay: { ...tally.requestsByDay }, errors: { ...tally.errors } })
        }
        for (const [k, n] of Object.entries(tally.requestsByDay)) want.requests[k] = (want.requests[k] ?? 0) + n
        for (const [k, n] of Object.entries(tally.errors)) want.errors[k] = (want.errors[k] ?? 0) + n
        record = killed[r]
          ? killedRun(record!, id, tally, "2024-03-03T00:00:00.000Z")
          : endRun(record!, id, { status: "stopped", lastEpoch: undefined, records: 0, ...tally, refused: [] }, Date.parse("2024-03-03T00:00:00Z"))
        // Settling a killed run again (a journal removed late) changes nothing.
        expect(killedRun(record, id, tally, "2024-03-04T00:00:00.000Z")).toEqual(record)
      })
      expect(record!.requests).toEqual(want.requests)
      expect(record!.errors).toEqual(want.errors)
      expect(record!.runs.map((run) => run.status)).toEqual(runs.map((_, r) => (killed[r] ? "killed" : "stopped")))
      expect(record!.runs.map((run) => run.requests)).toEqual(runs.map((events) => events.filter((e) => "sent" in e).length))
    }
  )

  it("a journal reads back what its run counted; a torn last line is left out; a dead run's journal is settled into the history once", async () => {
    const state = tempDir()
    const history = new MemoryHistoryStore()
    await history.update(identity.id, (record) => beginRun(record, identity, plan, [], "2024-03-01T00:00:00.000Z", runner("abc")))
    // A journal of a process of this host that is gone (as a SIGKILLed run leaves it).
    const journal = await RunJournal.open(state, { version: 1, harvestId: identity.id, run: "abc", pid: 2_000_000_000, host: "x", startedAt: "" }, () => {})
    journal.sending("2024-03-01")
    journal.sending("2024-03-01")
    journal.unsent("2024-03-01")
    journal.sending("2024-03-02")
    journal.error("server-error")
    journal.committed(120)
    const path = journal.path
    const read = await readRunJournal(path)
    expect(read).toMatchObject({ tally: { requestsByDay: { "2024-03-01": 1, "2024-03-02": 1 }, errors: { "server-error": 1 }, records: 120 } })
    appendFileSync(path, "s 2024-03-0")
    expect(await readRunJournal(path)).toMatchObject({ tally: { requestsByDay: { "2024-03-01": 1, "2024-03-02": 1 } } })

    // A run of this process, or of another host, is not settled.
    await settleDeadRuns(state, history, () => {})
    expect((await history.read(identity.id))!.runs[0]!.status).toBe("running")
    // The same journal left by a dead process of this host (pid 2e9 is none).
    const text = readFileSync(path, "utf8").split("\n")
    writeFileSync(join(runJournalDir(state), "dead.log"), [JSON.stringify({ ...JSON.parse(text[0]!), host: hostname() }), ...text.slice(1)].join("\n"))
    await journal.remove()
    await settleDeadRuns(state, history, () => {})
    const settled = (await history.read(identity.id))!
    expect(settled.runs[0]).toMatchObject({ status: "killed", requests: 2, records: 120 })
    expect(settled).toMatchObject({ status: "stopped", requests: { "2024-03-01": 1, "2024-03-02": 1 }, errors: { "server-error": 1 } })
    expect(readdirSync(runJournalDir(state))).toEqual([])
  })

  it("a journal that does not read is named in a notice and left in place", async () => {
    const state = tempDir()
    const dir = runJournalDir(state)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "videos-x.y.log"), "not a header\n")
    const notices: Array<string> = []
    await settleDeadRuns(state, new MemoryHistoryStore(), (message) => notices.push(message))
    expect(notices).toEqual([expect.stringMatching(/^run journal .*videos-x\.y\.log: expected a JSON header line \{version: 1, harvestId, run, pid, host, startedAt\}; /)])
  })
})
