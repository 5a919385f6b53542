import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The built binary: `pnpm test` builds before vitest; run `pnpm exec tsc -b tsconfig.build.json` first otherwise. */
export const binPath = fileURLToPath(new URL("../../dist/bin.js", import.meta.url))

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  readonly cwd?: string
  readonly env?: Record<string, string | undefined>
  /** Written to the child's standard input, then closed (default: no standard input). */
  readonly input?: string
}

/** Environment for a child: no inherited credentials or base URL unless the test gives them. */
const childEnv = (env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env }
  delete base.TIKTOK_CLIENT_KEY
  delete base.TIKTOK_CLIENT_SECRET
  delete base.TIKFLOW_BASE_URL
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete base[key]
    else base[key] = value
  }
  return base
}

export const spawnCli = (args: ReadonlyArray<string>, options: CliOptions = {}): ChildProcess => {
  if (!existsSync(binPath)) throw new Error(`${binPath} is missing: run pnpm exec tsc -b tsconfig.build.json`)
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
  })
  if (options.input !== undefined) child.stdin?.end(options.input)
  return child
}

/** Collects a spawned CLI's output until it exits. */
export const collect = (child: ChildProcess): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

export const runCli = (args: ReadonlyArray<string>, options: CliOptions = {}): Promise<CliResult> =>
  collect(spawnCli(args, options))

/** Resolves once the child's combined output matches `pattern`. */
export const waitForOutput = (child: ChildProcess, pattern: RegExp): Promise<string> =>
  new Promise((resolve, reject) => {
    let seen = ""
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString()
      if (pattern.test(seen)) {
        child.stdout?.off("data", onData)
        child.stderr?.off("data", onData)
        resolve(seen)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code) => {
      if (!pattern.test(seen)) reject(new Error(`exited (${code}) before printing ${pattern}:\n${seen}`))
    })
  })
