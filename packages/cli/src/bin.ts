#!/usr/bin/env node
import { main } from "./main.js"

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
// Let stdout/stderr drain before exiting; sinks and servers were closed by the command.
process.exitCode = code
setImmediate(() => process.exit(code))
