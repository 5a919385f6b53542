import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { mode } from "./mode.js"

const path = fileURLToPath(new URL("../last-run.json", import.meta.url))

export interface ReliabilityPart {
  readonly title: string
  /** One line per figure, as BENCHMARKS.md shows them. */
  readonly lines: ReadonlyArray<string>
  readonly figures: Readonly<Record<string, unknown>>
}

/**
 * Records one test's figures in test/reliability/last-run.json (merged with the other tests'),
 * printed too; `node bench/render.mjs` puts them in BENCHMARKS.md.
 */
export const recordPart = (name: string, part: ReliabilityPart): void => {
  const previous = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {}
  const next = {
    command: mode === "long" ? "TIKFLOW_RELIABILITY=long pnpm test:reliability" : "pnpm test:reliability",
    mode,
    updatedAt: new Date().toISOString(),
    parts: { ...(previous.mode === mode ? previous.parts : {}), [name]: part }
  }
  writeFileSync(path, JSON.stringify(next, null, 2) + "\n")
  console.log(`[reliability] ${part.title}\n${part.lines.map((l) => `  ${l}`).join("\n")}`)
}
