import { execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Absolute path of a file under test/reliability/scripts/. */
export const scriptPath = (name: string): string => fileURLToPath(new URL(`../scripts/${name}`, import.meta.url))

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

export interface NodeRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node <script> <JSON params>` to completion (the built dist packages do the work). */
export const runNode = (script: string, params: unknown, options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}): Promise<NodeRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(params)], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    // Decoded as a whole: a chunk boundary may split a multi-byte character.
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (d: Buffer) => out.push(d))
    child.stderr.on("data", (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000)
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") })
    })
  })

/** The last JSON line a script printed (its result). */
export const lastJson = <A>(run: NodeRun): A => {
  const line = run.stdout.trim().split("\n").filter(Boolean).pop()
  if (run.code !== 0 || line === undefined) {
    throw new Error(`script exited ${run.code ?? run.signal}: ${run.stderr.trim().split("\n").slice(-12).join("\n")}`)
  }
  return JSON.parse(line) as A
}

/** The child scripts run the built packages: build them first on a fresh clone (`pnpm test` does too). */
export const ensureBuilt = (): void => {
  const missing = ["core", "sources", "sinks", "sandbox", "cli"].some((pkg) => !existsSync(`${repoRoot}packages/${pkg}/dist/index.js`))
  if (missing) execFileSync(process.execPath, [`${repoRoot}node_modules/typescript/bin/tsc`, "-b", "tsconfig.build.json"], { cwd: repoRoot, stdio: "inherit" })
}
