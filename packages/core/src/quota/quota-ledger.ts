import { mkdir, open, readFile, stat, unlink } from "node:fs/promises"
import { dirname } from "node:path"
import { writeJsonAtomic } from "./write-json-atomic.js"

/** The quota of one UTC day as the ledger sees it. */
export interface QuotaSnapshot {
  readonly used: number
  readonly limit: number
  /** ISO-8601 time of the next reset (the next 00:00 UTC). */
  readonly resetAt: string
  readonly resetAtMs: number
}

export interface QuotaLedgerOptions {
  /** Requests per UTC day (the API's default is 1,000). */
  readonly limit?: number
  /** JSON file shared by every run and process; in memory when absent. */
  readonly path?: string
}

interface LedgerFile {
  readonly version: 1
  readonly day: string
  readonly used: number
}

const DAY_MS = 86_400_000
const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10)
const nextReset = (now: number): number => (Math.floor(now / DAY_MS) + 1) * DAY_MS

/**
 * The daily request budget, persisted so separate runs and processes share it. Each update
 * re-reads the file under an exclusive lock file (`<path>.lock`, created with O_EXCL) and replaces
 * it atomically (temp file + fsync + rename), so concurrent processes never lose a count.
 * The caller passes `now` (epoch ms): the ledger has no clock of its own.
 */
export class QuotaLedger {
  readonly limit: number
  readonly path: string | undefined
  private memory: LedgerFile = { version: 1, day: "", used: 0 }
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: QuotaLedgerOptions = {}) {
    const limit = options.limit ?? 1000
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`quota.limit: expected an integer ≥ 1, got ${limit}`)
    this.limit = limit
    this.path = options.path
  }

  /** Counts one request if the day's budget allows it. */
  consume(now: number): Promise<{ readonly granted: boolean; readonly snapshot: QuotaSnapshot }> {
    return this.update(now, (used) => used < this.limit ? used + 1 : used).then(([before, after]) => ({
      granted: after > before,
      snapshot: this.snapshotOf(after, now)
    }))
  }

  /** Marks today's budget spent (the API said so with a daily-quota 429, whatever our count was). */
  exhaust(now: number): Promise<QuotaSnapshot> {
    return this.update(now, (used) => Math.max(used, this.limit)).then(([, after]) => this.snapshotOf(after, now))
  }

  snapshot(now: number): Promise<QuotaSnapshot> {
    return this.update(now, (used) => used).then(([, after]) => this.snapshotOf(after, now))
  }

  private snapshotOf(used: number, now: number): QuotaSnapshot {
    const resetAtMs = nextReset(now)
    return { used, limit: this.limit, resetAt: new Date(resetAtMs).toISOString(), resetAtMs }
  }

  /** Serializes updates within this process, and locks the file against other processes. */
  private update(now: number, f: (used: number) => number): Promise<[number, number]> {
    const run = async (): Promise<[number, number]> => {
      const day = utcDay(now)
      if (this.path === undefined) {
        const before = this.memory.day === day ? this.memory.used : 0
        const after = f(before)
        this.memory = { version: 1, day, used: after }
        return [before, after]
      }
      const path = this.path
      return withLock(path + ".lock", async () => {
        const current = await readLedger(path)
        const before = current !== undefined && current.day === day ? current.used : 0
        const after = f(before)
        if (after !== before || current?.day !== day) await writeJsonAtomic(path, { version: 1, day, used: after })
        return [before, after]
      })
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => undefined)
    return next
  }
}

const readLedger = async (path: string): Promise<LedgerFile | undefined> => {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  try {
    const parsed = JSON.parse(text) as Partial<LedgerFile>
    if (typeof parsed.day === "string" && typeof parsed.used === "number") return parsed as LedgerFile
  } catch {
    // fall through: a ledger we cannot read must not silently reset the count
  }
  throw new Error(`quota ledger ${path}: expected {"version":1,"day":"YYYY-MM-DD","used":n}, file is corrupt`)
}

const STALE_LOCK_MS = 10_000

/** An exclusive lock file; a lock older than 10 s is taken to belong to a killed process. */
const withLock = async <A>(lockPath: string, body: () => Promise<A>): Promise<A> => {
  await mkdir(dirname(lockPath), { recursive: true })
  for (let attempt = 0;; attempt++) {
    try {
      const handle = await open(lockPath, "wx")
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0)
      if (age > STALE_LOCK_MS) await unlink(lockPath).catch(() => undefined)
      else await new Promise((resolve) => setTimeout(resolve, Math.min(2 + attempt, 25)))
    }
  }
  try {
    return await body()
  } finally {
    await unlink(lockPath).catch(() => undefined)
  }
}
