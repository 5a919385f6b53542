// The built workspace packages (dist/), imported by path so bench/ needs no package.json of its
// own, and their third-party dependencies resolved from the package that declares them. Each is
// loaded on demand so a scenario's peak RSS holds only what it uses (DuckDB and parquet-wasm are
// heavy).
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"

const root = new URL("../../", import.meta.url)

/** `@tikflow/<pkg>` from its dist/. */
export const load = (pkg) => import(new URL(`packages/${pkg}/dist/index.js`, root).href)

/** One module of `@tikflow/<pkg>`'s dist/ alone (e.g. `records/video.js`), without the package's index. */
export const distModule = (pkg, path) => import(new URL(`packages/${pkg}/dist/${path}`, root).href)

/** Imports `name` as the workspace package `pkg` sees it (pnpm does not hoist to the root). */
export const dependencyOf = (pkg, name) => {
  const require = createRequire(new URL(`packages/${pkg}/package.json`, root))
  return import(pathToFileURL(require.resolve(name)).href)
}
