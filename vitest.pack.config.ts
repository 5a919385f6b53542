import { defineConfig } from "vitest/config"
import { alias } from "./vitest.config.js"

// Packs every package, installs the tarballs with npm into a temporary project and runs tikflow
// there (`pnpm test:pack`; CI runs it on each Node version). Needs the npm registry.
export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/pack/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: "forks"
  }
})
