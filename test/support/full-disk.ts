import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { open } from "node:fs/promises"
import type { FileHandle } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A full disk, two ways. `mountSmallDisk` mounts a real tmpfs of a few kilobytes where the machine
 * allows it (root, and mounts permitted); `injectFullDisk` makes this process's file writes behave
 * as on such a disk — the write crossing the limit writes only what fits, as `write(2)` does, and
 * every later write fails with ENOSPC — for machines where mounting is refused. Disk-full tests
 * run the tmpfs variant when they can and the injected one otherwise: never neither.
 */

export interface SmallDisk {
  readonly dir: string
  /** Remounts with more room (the user freed space). */
  grow(bytes: number): void
  unmount(): void
}

/** A tmpfs of `bytes` bytes, or undefined when this machine does not allow mounting one (or TIKFLOW_TEST_NO_MOUNT=1). */
export const mountSmallDisk = (bytes: number): SmallDisk | undefined => {
  // To run the fallback of the disk-full tests on a machine that can mount.
  if (process.env.TIKFLOW_TEST_NO_MOUNT === "1") return undefined
  const dir = mkdtempSync(join(tmpdir(), "tikflow-small-disk-"))
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" })
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return undefined
  }
  return {
    dir,
    grow: (more) => execFileSync("mount", ["-o", `remount,size=${more}`, dir], { stdio: "ignore" }),
    unmount: () => {
      execFileSync("umount", [dir], { stdio: "ignore" })
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface InjectedFullDisk {
  /** Writes that were cut short, and writes refused with ENOSPC: proof the injection was reached. */
  readonly shortWrites: number
  readonly refusedWrites: number
  /** Bytes the writes got out (what a run needs: measure it with `Infinity` room). */
  readonly bytesWritten: number
  restore(): void
}

const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" })

type Write = (this: FileHandle, buffer: Uint8Array, offset?: number | null, length?: number | null, position?: number | null) => Promise<{ bytesWritten: number; buffer: Uint8Array }>

/**
 * From now on, `FileHandle.write` of this process has `room` bytes left in total: the write that
 * crosses it writes what fits and reports that count without an error; the writes after it fail.
 */
export const injectFullDisk = async (room: number): Promise<InjectedFullDisk> => {
  const probe = await open(tmpdir(), "r")
  const prototype = Object.getPrototypeOf(probe) as { write: Write }
  await probe.close()
  const original = prototype.write
  let left = room
  const state = { shortWrites: 0, refusedWrites: 0, bytesWritten: 0 }
  prototype.write = async function (this: FileHandle, buffer, offset, length, position) {
    const start = offset ?? 0
    const wanted = length ?? buffer.length - start
    if (left <= 0) {
      state.refusedWrites++
      throw enospc()
    }
    const fits = Math.min(wanted, left)
    if (fits < wanted) state.shortWrites++
    left -= fits
    const result = await original.call(this, buffer, start, fits, position)
    state.bytesWritten += result.bytesWritten
    return result
  }
  return {
    get shortWrites() {
      return state.shortWrites
    },
    get refusedWrites() {
      return state.refusedWrites
    },
    get bytesWritten() {
      return state.bytesWritten
    },
    restore: () => {
      prototype.write = original
    }
  }
}
