import { join } from "node:path"
import { type HeldLock, holdLockFile, type LockHolder } from "@tikflow/core/internal"
import { usageError } from "../cli-error.js"
import type { RunSpec } from "./job-spec.js"
import { outputIdentityOf, outputPathOf } from "./output-set.js"

/** One thing a run locks: its state directory, or a file output. */
export interface LockTarget {
  /** The lock file, e.g. `<state>/run.lock` or `<output>.lock`. */
  readonly path: string
  /** How the error names it: `--state /data/state`, `output ndjson:/data/a.ndjson`. */
  readonly label: string
  /** What the user can do instead of waiting. */
  readonly instead: string
  /** Where the user gave it, for an error: `--state /data/state`, `--out ndjson:./a.ndjson`, `sinks[1] parquet:./p`. */
  readonly given: string
}

export interface RunLock {
  /** Removes the lock files this run holds; also done at process exit, whatever the exit. */
  release(): Promise<void>
}

/** What a run locks: its state directory and every file or directory its jobs write. */
export const runLockTargets = (stateDir: string, spec: RunSpec): Array<LockTarget> => [
  { path: join(stateDir, "run.lock"), label: `--state ${stateDir}`, instead: "use another --state", given: `--state: ${stateDir}` },
  ...spec.jobs.flatMap((job) => job.sinks).flatMap((sink) => {
    const path = outputPathOf(sink)
    return path === undefined
      ? []
      : [{ path: `${path}.lock`, label: `output ${outputIdentityOf(sink)}`, instead: "write elsewhere", given: `${sink.field}: ${sink.uri}` }]
  })
]

const heldError = (target: LockTarget, holder: LockHolder) =>
  usageError(
    `${target.label} is in use by another tikflow run (` +
      (holder.pid === undefined ? "its lock file is being written" : `pid ${holder.pid} on host ${holder.host}, since ${holder.since.toISOString()}`) +
      `); wait for it to finish, or ${target.instead}`
  )

/** The lock file (or its directory) cannot be created: the place given is not one tikflow can write. */
const unwritableError = (target: LockTarget, error: NodeJS.ErrnoException) =>
  usageError(
    `${target.given}: cannot create ${error.path ?? target.path} (${error.code}); ` +
      "expected a path in a directory that exists or can be created, and that tikflow may write"
  )

/**
 * Locks everything a run writes for as long as it runs (core's `holdLockFile`), so two runs never
 * interleave one checkpoint or one file: a second run fails at once, exit 2, naming the process
 * that holds the lock. All or nothing. A lock of a process killed with SIGKILL is taken over by
 * the next run, which finds its pid dead.
 */
export const acquireRunLock = async (targets: ReadonlyArray<LockTarget>): Promise<RunLock> => {
  const held: Array<HeldLock> = []
  const release = async () => {
    for (const lock of held.splice(0)) await lock.release()
  }
  const seen = new Set<string>()
  for (const target of targets) {
    if (seen.has(target.path)) continue
    seen.add(target.path)
    const lock = await holdLockFile(target.path).catch(async (error: NodeJS.ErrnoException) => {
      await release()
      throw typeof error.code === "string" ? unwritableError(target, error) : error
    })
    if ("release" in lock) {
      held.push(lock)
      continue
    }
    await release()
    throw heldError(target, lock)
  }
  return { release }
}
