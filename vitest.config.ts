import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

// Tests import the workspace packages from source, so `vitest` needs no build step;
// the CLI end-to-end tests run the built binary instead (`pnpm test` builds first).
export const alias = {
  "@tikflow/core": pkg("core"),
  "@tikflow/sources": pkg("sources"),
  "@tikflow/sinks": pkg("sinks"),
  "@tikflow/sandbox": pkg("sandbox"),
  "@tikflow/cli": pkg("cli")
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.reliability.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks"
  }
})
