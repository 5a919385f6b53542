// Preloaded with `node --import` (via NODE_OPTIONS) by the startup test: registers module-trace-hooks.mjs,
// which appends every module the CLI resolves to the file named by TIKFLOW_TEST_MODULE_TRACE.
import { register } from "node:module"

register(new URL("./module-trace-hooks.mjs", import.meta.url))
