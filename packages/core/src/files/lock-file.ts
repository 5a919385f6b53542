import { randomBytes } from "node:crypto"
import { unlinkSync } from "node:fs"
import { link, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname } from "node:path"
import { isProcessAlive } from "./process-alive.js"
import { tempPathFor } from "./temp-files.js"
import { makeDirectory } from "./make-directory.js"

/** A ledger update holds its lock for milliseconds: one this old was abandoned (a reused pid, another host). */
const ABANDONED_MS = 10_000

const ownTag = (): string => `${process.pid}@${hostname()}`

/** Locks this process holds now: removed even when the process exits in the middle of an update. */
const held = new Set<string>()
/** Temp files of locks being created: removed too when the process exits in the middle of taking one. */
const creating = new Set<string>()
let exitHookInstalled = false
const removeHeldLocks = () => {
  for (const path of [...held, ...creating]) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
}

/**
 * Whether a lock's tag shows its holder gone: a `pid@host` of a dead process on this host, or no
 * `pid@host` at all — locks are created whole (see `create`), so an empty or torn one was left by a
 * writer killed mid-write (an older tikflow) and nobody holds it. A tag of another host is never judged dead.
 */
const isDeadTag = (tag: string): boolean => {
  const match = /^(\d+)@(.+)$/.exec(tag.trim())
  if (!match) return true
  return match[2] === hostname() && !isProcessAlive(Number(match[1]))
}

/**
 * Runs `body` under an exclusive lock file holding `pid@host`. A lock left by a dead process of
 * this machine (or empty, torn) is broken at once; one older than 10 s is taken as abandoned.
 */
export const withLockFile = async <A>(lockPath: string, body: () => Promise<A>): Promise<A> => {
  await acquire(lockPath)
  try {
    return await body()
  } finally {
    held.delete(lockPath)
    await unlink(lockPath).catch(() => undefined)
  }
}

/** Who holds a lock file: the `pid@host` it was created with (unknown while still empty), and since when. */
export interface LockHolder {
  readonly pid: number | undefined
  readonly host: string | undefined
  readonly since: Date
}

/** A lock held until released (or until the process exits, whatever the exit). */
export interface HeldLock {
  release(): Promise<void>
}

/**
 * Takes a lock file for as long as the caller runs, without waiting: when another live process
 * holds it, returns that holder instead. Only a lock of a dead process of this machine (or an
 * empty, torn one) is broken — a long-running holder is never taken as abandoned.
 */
export const holdLockFile = async (lockPath: string): Promise<HeldLock | LockHolder> => {
  await makeDirectory(dirname(lockPath))
  installExitHook()
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await create(lockPath)) {
      return {
        release: async () => {
          if (!held.delete(lockPath)) return
          await unlink(lockPath).catch(() => undefined)
        }
      }
    }
    if (!(await breakIfStale(lockPath, isDeadTag))) break
  }
  const [tag, info] = await Promise.all([readFile(lockPath, "utf8").catch(() => ""), stat(lockPath).catch(() => undefined)])
  const match = /^(\d+)@(.*)$/.exec(tag.trim())
  return { pid: match ? Number(match[1]) : undefined, host: match?.[2], since: info?.mtime ?? new Date() }
}

const installExitHook = () => {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once("exit", removeHeldLocks)
  }
}

/**
 * Creates the lock file holding our tag; false when it exists. Atomic: the tag is written to a
 * temp file first, then hard-linked to the lock path (which fails if the lock exists), so a lock
 * is never seen empty or torn — one that is was left by a dead writer, or no tikflow at all.
 */
const create = async (lockPath: string): Promise<boolean> => {
  const temp = tempPathFor(lockPath)
  creating.add(temp)
  await writeFile(temp, ownTag(), { flag: "wx" })
  try {
    await link(temp, lockPath)
    held.add(lockPath)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "EEXIST") return false
    if (code === "EPERM" || code === "ENOTSUP" || code === "ENOSYS") return createInPlace(lockPath)
    throw error
  } finally {
    await unlink(temp).catch(() => undefined)
    creating.delete(temp)
  }
}

/**
 * A file system without hard links: O_EXCL create, then one small write (a racing reader may see it
 * empty for an instant and break it; `breakIfStale` puts back a lock whose tag changed meanwhile).
 */
const createInPlace = async (lockPath: string): Promise<boolean> => {
  try {
    const handle = await open(lockPath, "wx")
    held.add(lockPath)
    try {
      await handle.writeFile(ownTag())
    } finally {
      await handle.close()
    }
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    return false
  }
}

const acquire = async (lockPath: string): Promise<void> => {
  await makeDirectory(dirname(lockPath))
  installExitHook()
  for (let attempt = 0;; attempt++) {
    if (await create(lockPath)) return
    if (!(await breakIfStale(lockPath, shortLockIsStale))) await new Promise((resolve) => setTimeout(resolve, Math.min(2 + attempt, 25)))
  }
}

const shortLockIsStale = (tag: string, ageMs: number): boolean => isDeadTag(tag) || ageMs > ABANDONED_MS

/** Breaks a stale lock; true when it did (or the lock vanished), so the caller retries at once. */
const breakIfStale = async (lockPath: string, isStale: (tag: string, ageMs: number) => boolean): Promise<boolean> => {
  const [tag, info] = await Promise.all([
    readFile(lockPath, "utf8").catch(() => undefined),
    stat(lockPath).catch(() => undefined)
  ])
  if (tag === undefined || info === undefined) return true
  if (!isStale(tag, Date.now() - info.mtimeMs)) return false
  // Move it aside first, then check it was the lock judged stale: two breakers racing must not
  // delete a live lock created in between (if they did, it is put back).
  const aside = `${lockPath}.${randomBytes(4).toString("hex")}.stale`
  try {
    await rename(lockPath, aside)
  } catch {
    return true
  }
  const movedTag = await readFile(aside, "utf8").catch(() => undefined)
  if (movedTag !== tag) await link(aside, lockPath).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
  return true
}
