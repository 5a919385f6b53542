import { linkSync, readFileSync, unlinkSync } from "node:fs"
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import { isProcessAlive } from "@tikflow/core"
import { usageError } from "../cli-error.js"
import type { RunSpec } from "./job-spec.js"
import { outputIdentityOf, outputPathOf } from "./output-set.js"

/** What a lock file says about the run holding it. */
interface LockOwner {
  readonly pid: number
  readonly host: string
  readonly since: string
}

/** One thing a run locks: the state directory, or a file output. */
export interface LockTarget {
  /** The lock file, e.g. `<state>/run.lock` or `<output>.lock`. */
  readonly path: string
  /** How the error names it: `--state /data/state`, `output ndjson:/data/a.ndjson`. */
  readonly label: string
  /** What the user can do instead of waiting. */
  readonly instead: string
}

export interface RunLock {
  /** Removes the lock files this run holds (idempotent); also done at process exit. */
  release(): Promise<void>
}

/** A lock file left empty or torn by a process killed while writing it is stale after this long. */
const TORN_LOCK_MS = 10_000

const parseOwner = (text: string): LockOwner | undefined => {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    return typeof value.pid === "number" && typeof value.host === "string" && typeof value.since === "string" ? value as LockOwner : undefined
  } catch {
    return undefined
  }
}

const readOwner = async (path: string): Promise<{ owner: LockOwner | undefined; ageMs: number } | undefined> => {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)])
    return { owner: parseOwner(text), ageMs: Date.now() - info.mtimeMs }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** A lock whose process is gone: dead on this host, or a torn file nobody finished writing. */
const isStale = (found: { owner: LockOwner | undefined; ageMs: number }): boolean =>
  found.owner === undefined ? found.ageMs > TORN_LOCK_MS : found.owner.host === hostname() && !isProcessAlive(found.owner.pid)

const heldError = (target: LockTarget, owner: LockOwner | undefined) =>
  usageError(
    `${target.label} is in use by another tikflow run (` +
      (owner === undefined ? "its lock file is being written" : `pid ${owner.pid} on host ${owner.host}, since ${owner.since}`) +
      `); wait for it to finish, or ${target.instead}`
  )

/**
 * Takes one lock file (created exclusively). A lock of a dead process is taken over: moved aside
 * under a name of our own, checked to be the stale one we read (another run may have taken it
 * over first), then removed.
 */
const acquireOne = async (target: LockTarget, self: LockOwner): Promise<void> => {
  await mkdir(dirname(target.path), { recursive: true })
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(target.path, "wx")
      try {
        await handle.writeFile(JSON.stringify(self))
      } finally {
        await handle.close()
      }
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
    const found = await readOwner(target.path)
    if (found === undefined) continue
    if (!isStale(found)) throw heldError(target, found.owner)
    const aside = `${target.path}.stale-${process.pid}`
    try {
      await rename(target.path, aside)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue
      throw error
    }
    const moved = parseOwner(readFileSync(aside, "utf8"))
    if (moved !== undefined && found.owner !== undefined && (moved.pid !== found.owner.pid || moved.since !== found.owner.since)) {
      // Not the stale lock we read: another run took it over meanwhile. Put it back.
      try {
        linkSync(aside, target.path)
      } catch {
        // A third run holds it now: it is not ours either way.
      }
      unlinkSync(aside)
      throw heldError(target, moved)
    }
    await rm(aside, { force: true })
  }
  throw heldError(target, (await readOwner(target.path))?.owner)
}

/** Removes a lock file if it is still ours (a lock taken over by another run is left alone). */
const releaseOne = (path: string, self: LockOwner): void => {
  try {
    const owner = parseOwner(readFileSync(path, "utf8"))
    if (owner?.pid === self.pid && owner.since === self.since) unlinkSync(path)
  } catch {
    // Gone already.
  }
}

/**
 * Locks everything a run writes for as long as it runs: its state directory and each file output,
 * so two runs can never interleave one checkpoint or one file (a second run fails at once, exit 2,
 * naming the process that holds the lock). All or nothing; released on every exit path, and by a
 * process killed with SIGKILL in effect too, since the next run finds its pid dead.
 */
export const acquireRunLock = async (targets: ReadonlyArray<LockTarget>): Promise<RunLock> => {
  const self: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  const held: Array<string> = []
  const releaseSync = () => {
    for (const path of held.splice(0)) releaseOne(path, self)
  }
  process.once("exit", releaseSync)
  try {
    const seen = new Set<string>()
    for (const target of targets) {
      if (seen.has(target.path)) continue
      seen.add(target.path)
      await acquireOne(target, self)
      held.push(target.path)
    }
  } catch (error) {
    releaseSync()
    process.off("exit", releaseSync)
    throw error
  }
  return {
    release: async () => {
      releaseSync()
      process.off("exit", releaseSync)
    }
  }
}

/** What a run locks: its state directory and every file or directory its jobs write. */
export const runLockTargets = (stateDir: string, spec: RunSpec): Array<LockTarget> => [
  { path: join(stateDir, "run.lock"), label: `--state ${stateDir}`, instead: "use another --state" },
  ...spec.jobs.flatMap((job) => job.sinks).flatMap((sink) => {
    const path = outputPathOf(sink)
    return path === undefined ? [] : [{ path: `${path}.lock`, label: `output ${outputIdentityOf(sink)}`, instead: "write elsewhere" }]
  })
]
