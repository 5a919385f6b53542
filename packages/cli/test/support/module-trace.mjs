// Preloaded with `node --import` (via NODE_OPTIONS) by the startup test: registers module-trace-hooks.mjs,
// which appends every module the CLI resolves to the file named by TIKFLOW_TEST_MODULE_TRACE. CommonJS
// modules that `require` loads (undici's, DuckDB's) pass no resolve hook on Node 20: those in the
// require cache are appended, as file URLs, when the process exits, and so are Node's own modules
// loaded on first use (e.g. `node-builtin:internal/deps/undici/undici`, behind the global `fetch`).
import { appendFileSync } from "node:fs"
import { createRequire, register } from "node:module"
import { pathToFileURL } from "node:url"

register(new URL("./module-trace-hooks.mjs", import.meta.url))

const trace = process.env.TIKFLOW_TEST_MODULE_TRACE
if (trace) {
  const { cache } = createRequire(import.meta.url)
  process.on("exit", () => {
    const required = Object.keys(cache).map((path) => `${pathToFileURL(path).href}\n`)
    const builtins = process.moduleLoadList.filter((entry) => entry.startsWith("NativeModule "))
      .map((entry) => `node-builtin:${entry.slice("NativeModule ".length)}\n`)
    appendFileSync(trace, [...required, ...builtins].join(""))
  })
}
