// Child processes of the harness: the sandbox server and one process per scenario run, so each
// run's peak RSS (process.resourceUsage().maxRSS) is its own.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/** Starts the sandbox in a child process; `request(line)` sends a command and resolves its JSON answer. */
export const startSandboxProcess = async (options) => {
  const child = spawn(process.execPath, [here("./sandbox-server.mjs"), JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"]
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error("sandbox process ended")
    return JSON.parse(value)
  }
  const hello = await next()
  let queue = Promise.resolve()
  const request = (line) => {
    const answer = queue.then(() => {
      child.stdin.write(line + "\n")
      return next()
    })
    queue = answer.then(() => undefined, () => undefined)
    return answer
  }
  return {
    url: hello.url,
    credentials: hello.credentials,
    stats: () => request("stats"),
    setFaults: (faults) => request(`faults ${JSON.stringify(faults)}`),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve)
        child.stdin.write("stop\n")
      })
  }
}

/**
 * Runs `bench/scenarios/<script>` with `params` (JSON in argv) in a fresh process; resolves the last
 * JSON line it prints (the scenario's result) and its wall time from spawn to exit (wallMs).
 */
export const runScenario = (script, params, { timeoutMs = 600_000 } = {}) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [here(`../scenarios/${script}`), JSON.stringify(params)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d))
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      const last = out.trim().split("\n").filter(Boolean).pop()
      if (code !== 0 || last === undefined) {
        return reject(new Error(`${script} ${JSON.stringify(params)} exited ${code ?? signal}: ${err.trim().split("\n").slice(-8).join("\n")}`))
      }
      // wallMs: spawn to exit, unless the scenario timed a process of its own (the CLI's).
      resolve({ wallMs: Math.round(performance.now() - started), ...JSON.parse(last) })
    })
  })
