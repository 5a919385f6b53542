import { defineConfig } from "vitest/config"
import { alias } from "./vitest.config.js"

// The reliability suite (chaos soak, crash/resume, fuzzing). TIKFLOW_RELIABILITY=long runs it longer.
export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/reliability/**/*.reliability.test.ts", "packages/*/test/**/*.reliability.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
})
