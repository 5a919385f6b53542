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
  // Short and long mode keep their own figures, so a CI run does not erase the long run's.
  const previous = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {}
  const modes = previous.modes ?? {}
  modes[mode] = {
    command: mode === "long" ? "TIKFLOW_RELIABILITY=long pnpm test:reliability" : "pnpm test:reliability",
    updatedAt: new Date().toISOString(),
    parts: { ...modes[mode]?.parts, [name]: part }
  }
  writeFileSync(path, JSON.stringify({ modes }, null, 2) + "\n")
  console.log(`[reliability] ${part.title}\n${part.lines.map((l) => `  ${l}`).join("\n")}`)
}
