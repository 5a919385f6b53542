import { describe, expect, it } from "vitest"
import { scavengeThreadsFlag, SERIAL_SCAVENGE_MAX_CORES } from "../../src/scavenge-threads.js"

describe("scavenges on few cores", () => {
  it("scavenges on the main thread alone on few cores, unless the user chose how V8 collects (command line or NODE_OPTIONS, - or _)", () => {
    const few = SERIAL_SCAVENGE_MAX_CORES
    expect(scavengeThreadsFlag([], undefined, few)).toBe("--no-parallel-scavenge")
    expect(scavengeThreadsFlag([], undefined, 1)).toBe("--no-parallel-scavenge")
    expect(scavengeThreadsFlag(["--max-old-space-size=512"], "--trace-gc", few)).toBe("--no-parallel-scavenge")
    expect(scavengeThreadsFlag([], undefined, few + 1)).toBeUndefined()
    expect(scavengeThreadsFlag(["--parallel-scavenge"], undefined, few)).toBeUndefined()
    expect(scavengeThreadsFlag([], "--no_parallel_scavenge", few)).toBeUndefined()
    expect(scavengeThreadsFlag(["--single-threaded-gc"], undefined, few)).toBeUndefined()
    expect(scavengeThreadsFlag([], "--single-threaded", few)).toBeUndefined()
  })
})
