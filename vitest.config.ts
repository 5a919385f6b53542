import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const source = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url))
const pkg = (name: string) => source(`${name}/src/index.ts`)

// Tests import the workspace packages from source, so `vitest` needs no build step;
// the CLI end-to-end tests run the built binary instead (`pnpm test` builds first).
// Exact matches, so the light subpath entries (`@tikflow/sinks/registry`, …) map to their own files.
export const alias = [
  { find: /^@tikflow\/core\/api-days$/, replacement: source("core/src/schema/api-days.ts") },
  { find: /^@tikflow\/core\/internal$/, replacement: source("core/src/internal.ts") },
  { find: /^@tikflow\/sources\/internal$/, replacement: source("sources/src/internal.ts") },
  { find: /^@tikflow\/sinks\/internal$/, replacement: source("sinks/src/internal.ts") },
  { find: /^@tikflow\/sinks\/registry$/, replacement: source("sinks/src/registry.ts") },
  { find: /^@tikflow\/sinks\/testing$/, replacement: source("sinks/src/testing/index.ts") },
  { find: /^@tikflow\/sandbox\/fault-kinds$/, replacement: source("sandbox/src/faults/fault-kind.ts") },
  ...["core", "sources", "sinks", "sandbox", "cli"].map((name) => ({ find: new RegExp(`^@tikflow/${name}$`), replacement: pkg(name) }))
]

export default defineConfig({
  resolve: { alias },
  test: {
    // Every packages/*/test and examples/**/test file, in one of the projects below.
    exclude: ["**/node_modules/**", "**/*.reliability.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker; most tests here wait on child processes, servers
    // and rate limits rather than computing, so two run side by side in about 60% of the time.
    maxWorkers: 2,
    projects: [
      {
        // The libraries' tests share their workers' loaded modules (effect alone is ~1,700 modules
        // per file otherwise: loading them was most of their time). Each file opens and closes its
        // own servers, databases and directories, and none changes module state another reads.
        extends: true,
        test: {
          name: "libraries",
          include: ["packages/{core,sources,sinks,sandbox}/test/**/*.test.ts", "packages/cli/test/unit/**/*.test.ts"],
          isolate: false
        }
      },
      {
        // The CLI's end-to-end tests each get a fresh process: they move the working directory
        // (runCliInProcess) and keep per-file state in their support modules.
        extends: true,
        test: {
          name: "cli",
          include: ["packages/cli/test/**/*.test.ts", "examples/**/test/**/*.test.ts"],
          exclude: ["packages/cli/test/unit/**"]
        }
      }
    ]
  }
})
