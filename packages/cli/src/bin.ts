#!/usr/bin/env node
import module from "node:module"
import { boundHeapGrowth } from "./heap-growth.js"

// Memory bounded without flags: V8 may grow the heap only a little past its live set.
boundHeapGrowth()

// Node ≥ 22.1 can keep compiled code across runs (a faster start); Node 20 has no such cache.
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
const { main } = await import("./main.js")

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
// Let stdout/stderr drain before exiting; sinks and servers were closed by the command.
process.exitCode = code
setImmediate(() => process.exit(code))
