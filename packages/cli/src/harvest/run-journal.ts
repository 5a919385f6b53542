import { closeSync, openSync, writeSync } from "node:fs"
import { readdir, readFile, stat, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { type HistoryStore, isDeadHere, makeDirectory, settleHeld } from "@tikflow/core/internal"
import { changedAtKill } from "./changed-values.js"
import { addCount, killedRun, type RunProgress, withChanged } from "./harvest-history.js"
import { checkpointStoreOf } from "./job-checkpoints.js"

/** Who writes a journal: the run (of the harvest's history) and the process running it. */
export interface RunJournalHeader {
  readonly version: 1
  readonly harvestId: string
  /** The run's id in the harvest's `runs`. */
  readonly run: string
  readonly pid: number
  readonly host: string
  readonly startedAt: string
  /**
   * The run command's `changed-values.json` (a single run's, not a team worker's): a killed run's
   * history takes its changes committed through its last checkpoint (`changedAtKill`). Absent in
   * journals of earlier tikflow.
   */
  readonly changes?: string
}

/** `<state>/run-journals/`: one file per run in progress (or killed and not yet reconciled). */
export const runJournalDir = (stateDir: string): string => join(stateDir, "run-journals")

/** The journals this process writes: a journal of our pid that is not one of them was left by an earlier process of that pid. */
const ours = new Set<string>()

/**
 * A run's requests and errors as they happen, in memory and appended to its journal file, so a
 * run killed with SIGKILL leaves every request it sent on disk. One `write(2)` per line, no fsync:
 * the page cache outlives the process (a power cut may lose the tail, as the API's own count would
 * not). The history takes the tally at each epoch commit and at the end; the journal is for the
 * requests after the last commit of a run that never ended (`settleDeadRuns`).
 *
 * Lines after the JSON header: `s <day>` a request is being sent, `u <day>` it provably never left
 * (one less), `e <kind>` an error, `h <epoch> <records>` the checkpoint of `epoch` is about to be
 * saved and the run's records once it is, `c <records>` it is saved (the run's records so far).
 */
export class RunJournal {
  readonly tally: RunProgress = { requestsByDay: {}, errors: {} }
  private fd: number | undefined

  private constructor(readonly path: string, fd: number, private readonly onFailure: (message: string) => void) {
    this.fd = fd
  }

  /** Creates the run's journal with its header (before the run's first request). */
  static async open(stateDir: string, header: RunJournalHeader, onFailure: (message: string) => void): Promise<RunJournal> {
    const dir = runJournalDir(stateDir)
    await makeDirectory(dir)
    const path = join(dir, `${header.harvestId}.${header.run}.log`)
    const fd = openSync(path, "a")
    const journal = new RunJournal(path, fd, onFailure)
    ours.add(path)
    journal.append(`${JSON.stringify(header)}\n`)
    return journal
  }

  sending(day: string): void {
    addCount(this.tally.requestsByDay, day, 1)
    this.append(`s ${day}\n`)
  }

  unsent(day: string): void {
    addCount(this.tally.requestsByDay, day, -1)
    this.append(`u ${day}\n`)
  }

  error(kind: string): void {
    addCount(this.tally.errors, kind, 1)
    this.append(`e ${kind.replace(/\s/g, "_")}\n`)
  }

  /**
   * The checkpoint of `epoch` is about to be saved (its sinks flushed): the run's `records` once it
   * is. Said before the save, as core's changes journal holds changed values: a kill after the save
   * and before `committed` (whose turn may come after the next epoch's pages) still counts them,
   * settled by the epoch the checkpoint reached (`settledTally`).
   */
  held(epoch: number, records: number): void {
    this.append(`h ${epoch} ${records}\n`)
  }

  /**
   * An epoch is committed with the run's `records` so far: said here right after the checkpoint
   * is saved (a write, microseconds), so a run killed while the history takes the commit (a locked,
   * fsynced update) still shows every record it committed.
   */
  committed(records: number): void {
    this.tally.records = records
    this.append(`c ${records}\n`)
  }

  /** The run's end is in its history: the journal is no longer needed. */
  async remove(): Promise<void> {
    this.close()
    ours.delete(this.path)
    await unlink(this.path).catch(() => undefined)
  }

  private close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }

  /** On the request path: a failure (a full disk) is said once and stops the journal, never the harvest. */
  private append(line: string): void {
    if (this.fd === undefined) return
    try {
      writeSync(this.fd, line)
    } catch (error) {
      this.close()
      this.onFailure(`run journal ${this.path}: ${(error as Error).message}; if this run is killed, its history misses requests sent after its last commit`)
    }
  }
}

/** A journal as read back: its header, tally, and when it was last written to (the run's last sign of life). */
export interface ReadJournal {
  readonly header: RunJournalHeader
  /** Its records: those of its last `c` line (see `settledTally` for the ones held). */
  readonly tally: RunProgress
  /** The run's records at each checkpoint it was about to save (`h` lines), in order. */
  readonly held: ReadonlyArray<HeldRecords>
  readonly lastWrite: Date
}

/** The run's records once the checkpoint of `epoch` is saved. */
export interface HeldRecords {
  readonly epoch: number
  readonly records: number
}

/**
 * A killed run's tally: its records are those of the last checkpoint it saved, the held ones of the
 * latest epoch at or below the one its harvest's checkpoint reached (core's `settleHeld`: later ones
 * were not committed and are delivered again), else its last `c` line's (a journal of a tikflow
 * before `h` lines, a checkpoint gone).
 */
export const settledTally = (journal: ReadJournal, reached: number | undefined): RunProgress => {
  const held = settleHeld({ counted: [], held: journal.held }, reached, true).counted.at(-1)?.records
  return held === undefined || held <= (journal.tally.records ?? 0) ? journal.tally : { ...journal.tally, records: held }
}

/** Reads a journal; a string says why it is not one. A last line without its newline (a torn write) is left out. */
export const readRunJournal = async (path: string): Promise<ReadJournal | string> => {
  const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)])
  const lines = text.split("\n")
  lines.pop()
  const [first, ...rest] = lines
  let header: RunJournalHeader
  try {
    header = JSON.parse(first ?? "") as RunJournalHeader
  } catch {
    return "expected a JSON header line {version: 1, harvestId, run, pid, host, startedAt}"
  }
  if (header?.version !== 1 || typeof header.harvestId !== "string" || typeof header.run !== "string" || !Number.isInteger(header.pid)) {
    return "expected a JSON header line {version: 1, harvestId, run, pid, host, startedAt}"
  }
  const tally: RunProgress = { requestsByDay: {}, errors: {} }
  const held: Array<HeldRecords> = []
  for (const [i, line] of rest.entries()) {
    const value = line.slice(2)
    const heldLine = /^h (\d+) (\d+)$/.exec(line)
    if (line.startsWith("s ")) addCount(tally.requestsByDay, value, 1)
    else if (line.startsWith("u ")) addCount(tally.requestsByDay, value, -1)
    else if (line.startsWith("e ")) addCount(tally.errors, value, 1)
    else if (line.startsWith("c ") && /^\d+$/.test(value)) tally.records = Number(value)
    else if (heldLine !== null) held.push({ epoch: Number(heldLine[1]), records: Number(heldLine[2]) })
    else return `line ${i + 2}: expected "s <day>", "u <day>", "e <kind>", "h <epoch> <records>" or "c <records>", got ${JSON.stringify(line.slice(0, 40))}`
  }
  return { header, tally, held, lastWrite: info.mtime }
}

/**
 * Reconciles the runs of this machine that were killed (their process is gone, their journal is
 * still there): each becomes `killed` in its harvest's history with every request and error its
 * journal holds and the records of the last checkpoint it saved (read from `<state>/checkpoints`,
 * which no run of the harvest has moved since: this runs before any), then the journal goes. Called when a run starts and by `runs` and `report`, so
 * they never undercount a killed run. A journal of another host is not ours to judge; one that
 * does not read is named in a notice and left.
 */
export const settleDeadRuns = async (stateDir: string, history: HistoryStore, notice: (message: string) => void): Promise<void> => {
  const dir = runJournalDir(stateDir)
  let names: Array<string>
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  for (const name of names.filter((n) => n.endsWith(".log"))) {
    const path = join(dir, name)
    const journal = await readRunJournal(path).catch((error: unknown) => (error as Error).message)
    if (typeof journal === "string") {
      notice(`run journal ${path}: ${journal}; the history of its run may miss requests (remove the file to silence this)`)
      continue
    }
    const { header } = journal
    if (ours.has(path)) continue
    // This process's pid in a journal not of ours: an earlier process of this machine had it.
    const gone = header.pid === process.pid ? header.host === hostname() : isDeadHere(header)
    if (!gone) continue
    if (await history.read(header.harvestId) !== undefined) {
      const reached = await reachedEpoch(stateDir, header, notice)
      const changed = header.changes === undefined ? undefined : await changedAtKill(header.changes, header.harvestId, reached).catch((error: unknown) => {
        notice(`${header.changes}: ${(error as Error).message.split("\n")[0]}; the history of run ${header.run} may miss values its outputs stored changed`)
        return undefined
      })
      const tally = settledTally(journal, reached)
      await history.update(header.harvestId, (record) => {
        const killed = killedRun(record!, header.run, tally, journal.lastWrite.toISOString())
        return killed === record || changed === undefined ? killed : withChanged(killed, changed.key, changed.sinks)
      })
    }
    await unlink(path).catch(() => undefined)
  }
}

/**
 * The epoch a dead run's harvest's checkpoint reached (the last it saved: every sink flushed it), which
 * no run of the harvest has moved since; undefined for none, or one that does not read (said).
 */
const reachedEpoch = async (stateDir: string, header: RunJournalHeader, notice: (message: string) => void): Promise<number | undefined> =>
  (await checkpointStoreOf(stateDir).load(header.harvestId).catch((error: unknown) => {
    notice(`${(error as Error).message.split("\n")[0]}; the history of run ${header.run} may miss what it committed after its journal's last commit and values its outputs stored changed`)
    return undefined
  }))?.epoch
