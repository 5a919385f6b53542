import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type * as ApacheArrow from "apache-arrow"

let library: typeof ApacheArrow | undefined

/**
 * apache-arrow, loaded on first use: the one way the sinks reach its values. The Arrow-producing
 * functions (`toRecordBatch`, `arrowSchemaFor`) are synchronous and exported by the package's main
 * entry; importing apache-arrow with the entry (~200 ms, a few hundred modules) would cost every user
 * of it, most of whom never touch Arrow. Node ≥ 20.19 `require`s an ES module synchronously; this
 * loads apache-arrow's ES build (a plain `require("apache-arrow")` resolves to its CommonJS one), so
 * its classes are the very ones an `import` gives a plugin.
 */
export const apacheArrow = (): typeof ApacheArrow =>
  (library ??= createRequire(import.meta.url)(fileURLToPath(import.meta.resolve("apache-arrow"))) as typeof ApacheArrow)
