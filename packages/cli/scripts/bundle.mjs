// Bundles the `tikflow` command (after `tsc -b`): one start-up reads a few files instead of ~450 modules.
// dist/bin.js becomes the bundle's entry; the modules the CLI loads only on demand stay separate,
// lazy chunks in dist/bundle/ beside the Parquet encoder thread (the sink starts it by a URL next to
// its own module). The library entry (dist/index.js) and the types stay tsc's.
import { build } from "esbuild"
import { rmSync, writeFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const cli = fileURLToPath(new URL("..", import.meta.url))

// Loaded from files at run time: WebAssembly (parquet-wasm), modules `require`d by path or name
// (RxJS, Arrow) and the PostgreSQL client. The CLI's package depends on each, so they
// resolve from the bundle as they do from the packages.
const EXTERNAL = ["parquet-wasm", "apache-arrow", "rxjs", "pg", "pg-copy-streams"]

// @duckdb/node-api (JavaScript, ~180 CommonJS modules) is bundled into the DuckDB sink's chunk: one file
// to load instead of ~180. Its native bindings stay outside, required where node-api's own require
// finds them (a dependency of node-api, not of the CLI).
const duckdbBindingsBesideApi = {
  name: "duckdb-bindings-beside-api",
  setup(build) {
    build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: "@duckdb/node-bindings", namespace: "duckdb-bindings" }))
    build.onLoad({ filter: /.*/, namespace: "duckdb-bindings" }, () => ({
      contents: 'const { createRequire } = require("node:module"); module.exports = createRequire(require.resolve("@duckdb/node-api"))("@duckdb/node-bindings")',
      loader: "js"
    }))
  }
}

rmSync(`${cli}/dist/bundle`, { recursive: true, force: true })
const { metafile } = await build({
  absWorkingDir: cli,
  entryPoints: [
    { in: "src/bin.ts", out: "bin" },
    { in: "../sinks/dist/parquet/parquet-worker-thread.js", out: "bundle/parquet-worker-thread" }
  ],
  outdir: "dist",
  chunkNames: "bundle/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  external: EXTERNAL,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "linked",
  // undici and other CommonJS dependencies require Node's built-ins: give each ES module chunk a require.
  banner: { js: 'import { createRequire as __tikflowRequire } from "node:module"; const require = __tikflowRequire(import.meta.url);' },
  logLevel: "warning",
  metafile: true,
  plugins: [duckdbBindingsBesideApi]
})

// Which modules each output file holds (paths from the repository's root), for the start-up test's
// module trace; not published.
const root = resolve(cli, "../..")
const modules = Object.fromEntries(
  Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith(".js"))
    .map(([file, { inputs }]) => [relative(`${cli}/dist`, resolve(cli, file)), Object.keys(inputs).map((input) => relative(root, resolve(cli, input)))])
)
writeFileSync(`${cli}/dist/bundle/modules.json`, JSON.stringify(modules))
