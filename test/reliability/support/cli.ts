import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { join } from "node:path"
import { repoRoot } from "./run-node.js"

export const cliBin = `${repoRoot}packages/cli/dist/bin.js`

export interface CliProcess {
  readonly child: ChildProcess
  /** Resolves when the CLI printed its first progress line (the harvest is under way). */
  readonly started: Promise<void>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>
}

/**
 * Runs the built `tikflow` CLI with `args` in `cwd`. Its user state home (the machine's quota
 * ledgers) is `<cwd>/.state-home` unless the test sets XDG_STATE_HOME, its compile cache (Node ≥ 22)
 * `<cwd>/.cache-home`: never the real home.
 */
export const startCli = (args: ReadonlyArray<string>, options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): CliProcess => {
  const env = { ...process.env, XDG_STATE_HOME: join(options.cwd, ".state-home"), XDG_CACHE_HOME: join(options.cwd, ".cache-home"), TIKFLOW_QUOTA_LEDGER: undefined, ...options.env }
  const child = spawn(process.execPath, [cliBin, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  let markStarted: () => void = () => undefined
  const started = new Promise<void>((resolve) => (markStarted = resolve))
  const onData = (text: string, into: "out" | "err") => {
    if (into === "out") stdout += text
    else stderr += text
    if (text.includes("progress")) markStarted()
  }
  // Decoded as a stream: a chunk boundary may split a multi-byte character.
  child.stdout!.setEncoding("utf8").on("data", (d: string) => onData(d, "out"))
  child.stderr!.setEncoding("utf8").on("data", (d: string) => onData(d, "err"))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => {
      markStarted()
      resolve({ code, signal, stdout, stderr })
    }))
  return { child, started, exited }
}
