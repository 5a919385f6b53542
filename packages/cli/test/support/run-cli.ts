import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { afterAll, expect } from "vitest"

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

/**
 * The user state home of this test file's children (XDG_STATE_HOME, where the machine's quota
 * ledgers live): never the real `~/.local/state`. One per working directory, so tests in separate
 * directories keep separate ledgers unless a test sets XDG_STATE_HOME itself to share one.
 */
const stateHomes = mkdtempSync(join(tmpdir(), "tikflow-state-home-"))
afterAll(() => rmSync(stateHomes, { recursive: true, force: true }))
export const stateHomeFor = (cwd: string | undefined): string =>
  join(stateHomes, createHash("sha256").update(resolve(cwd ?? process.cwd())).digest("hex").slice(0, 12))

/** The children's compile cache (Node ≥ 22): one per test file, never the real `~/.cache`. */
const cacheHome = join(stateHomes, "cache")

/** Environment for a child: no inherited credentials, base URL or quota ledger unless the test gives them. */
const childEnv = (env: Record<string, string | undefined> = {}, cwd?: string): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env }
  delete base.TIKTOK_CLIENT_KEY
  delete base.TIKTOK_CLIENT_SECRET
  delete base.TIKFLOW_BASE_URL
  delete base.TIKFLOW_QUOTA_LEDGER
  base.XDG_STATE_HOME = stateHomeFor(cwd)
  base.XDG_CACHE_HOME = cacheHome
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
    env: childEnv(options.env, options.cwd),
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

/** A stream that keeps what is written to it (not a TTY: the output of a pipe). */
const textSink = () => {
  let text = ""
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString()
      done()
    }
  })
  return { stream, text: () => text }
}

let inProcessRuns = 0
/** The test process's own working directory, restored once no in-process run is going on. */
const ownCwd = process.cwd()

/**
 * Runs `tikflow` in this test process (the CLI's `main` with the child's environment), for tests of
 * what a command says and returns rather than of the process: the same result as `runCli` without
 * starting Node and loading the CLI again. Relative paths resolve against the process's working
 * directory, so it moves to `cwd` while runs go on (runs at once must share it). Not for
 * `--out ndjson:-` (records go to the real stdout) or signals.
 */
export const runCliInProcess = async (args: ReadonlyArray<string>, options: Omit<CliOptions, "input"> = {}): Promise<CliResult> => {
  const cwd = resolve(options.cwd ?? ownCwd)
  if (inProcessRuns > 0 && cwd !== process.cwd()) {
    throw new Error(`runCliInProcess: runs at once must share one working directory (${process.cwd()}, not ${cwd})`)
  }
  inProcessRuns++
  try {
    process.chdir(cwd)
    const { main } = await import("../../src/main.js")
    const stdout = textSink()
    const stderr = textSink()
    const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: childEnv(options.env, cwd) })
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() }
  } finally {
    if (--inProcessRuns === 0) process.chdir(ownCwd)
  }
}

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

/**
 * A run that finished: exit 0, or 5 when the API refused some items of a fan-out (private accounts,
 * unknown videos) and the run says how many — what the sandbox's world, like the real one, has.
 */
export const expectFinished = (result: CliResult): void => {
  if (result.code === 5) expect(result.stderr).toMatch(/finished, but the API refused \d+ (video ids?|usernames?)|"exitCode":5/)
  else expect(result.code, result.stderr).toBe(0)
}
