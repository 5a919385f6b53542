#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js"
import { boundHeapGrowth } from "./heap-growth.js"
import { serialScavengesOnFewCores } from "./scavenge-threads.js"
import { delayWasmTierUp } from "./wasm-tiering.js"

// Memory bounded without flags: V8 may grow the heap by 75% past its live set (at least 24 MB).
boundHeapGrowth()
// parquet-wasm's code optimized only where a run is hot enough to repay the compile.
delayWasmTierUp()
// On 2 cores the young generation is collected by the main thread alone (no helpers to synchronise).
serialScavengesOnFewCores()

// Node ≥ 22.1 keeps compiled code across runs (a faster start), before the CLI's modules load.
enableCompileCache()
const { main } = await import("./main.js")

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
// Let stdout/stderr drain before exiting; sinks and servers were closed by the command.
process.exitCode = code
setImmediate(() => process.exit(code))
