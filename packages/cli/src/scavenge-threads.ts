import { availableParallelism } from "node:os"
import v8 from "node:v8"
import { userSetV8Flag } from "./user-v8-flags.js"

/**
 * Young-generation collections (scavenges) on the main thread alone, where the machine has this
 * many cores or fewer. A harvest's young objects die almost all (at 500k videos into Parquet
 * 1.73 GB allocated, 18.6 MB surviving scavenges in all; `--trace-gc-nvp`), so a scavenge is mostly fixed work that
 * V8's helper threads only split and synchronise, on cores the harvest's other threads (the
 * encoder thread, zlib on the pool, the sandbox or other processes) want too: on 2 cores, 500k
 * videos into Parquet cost ~1 µs of process CPU per record less (bench/findings.md). With more
 * cores the helpers have cores of their own: not measured, left to V8.
 */
export const SERIAL_SCAVENGE_MAX_CORES = 2

const USER_GC_THREADS_FLAG = /--(no-)?(parallel-scavenge|single-threaded-gc|single-threaded)\b/

/** The flag the CLI sets, or undefined (more cores, or the user chose how V8 collects: theirs wins). */
export const scavengeThreadsFlag = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined, cores: number): string | undefined =>
  cores > SERIAL_SCAVENGE_MAX_CORES || userSetV8Flag(USER_GC_THREADS_FLAG, execArgv, nodeOptions) ? undefined : "--no-parallel-scavenge"

/**
 * Sets it from inside the process: V8 reads it at each scavenge. (`--single-threaded-gc`, which also
 * stops concurrent marking, cannot be set so: set in-process it aborted V8 at the next full collection.)
 */
export const serialScavengesOnFewCores = (): void => {
  const flag = scavengeThreadsFlag(process.execArgv, process.env.NODE_OPTIONS, availableParallelism())
  if (flag !== undefined) v8.setFlagsFromString(flag)
}
