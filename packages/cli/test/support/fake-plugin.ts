import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/**
 * Writes a third-party sink plugin package `tikflow-sink-<name>` into `<dir>/node_modules`: it
 * appends each flushed batch's records as JSON lines to the file its URI names, so a test can
 * check exactly what was delivered; resumed, it first drops the lines of epochs after the last
 * committed one, lazily, as contract 1 asks. `contract` lets a test install a plugin of another version.
 * `holdFlush` makes every flush say so on stderr (`<name>: flush held`) and wait for the run's
 * signal, then succeed (`"then-flush"`) or fail (`"then-fail"`): a step in flight when a SIGINT comes.
 * `stall` makes one hook (at its `stallAt`-th call, default the first) await a promise nothing will
 * ever settle, holding no timer or I/O: a plugin bug that leaves Node's event loop empty.
 */
export const installFakePlugin = (
  dir: string,
  name: string,
  options: {
    readonly contract?: number
    readonly holdFlush?: "then-flush" | "then-fail"
    readonly stall?: "open" | "write" | "flush" | "close"
    readonly stallAt?: number
  } = {}
): void => {
  const root = join(dir, "node_modules", `tikflow-sink-${name}`)
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: `tikflow-sink-${name}`, version: "1.0.0", type: "module", exports: "./index.js" }))
  writeFileSync(join(root, "index.js"), `
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs"
const calls = {}
// What contract 1 asks of a writer on resume: drop, at its first write or flush, what it wrote for
// epochs after the last committed one of its stream (a kill between its flush and the checkpoint leaves some).
const discardLazily = (context) => {
  const path = context.config.path
  if (context.resume === undefined || !existsSync(path)) return
  const kept = readFileSync(path, "utf8").split("\\n").filter((line) => {
    if (line === "") return false
    const { stream, epoch } = JSON.parse(line)
    return stream !== context.stream || epoch <= context.resume.epoch
  })
  writeFileSync(path, kept.map((line) => line + "\\n").join(""))
}
const stallIf = (hook) => {
  calls[hook] = (calls[hook] ?? 0) + 1
  return hook === ${JSON.stringify(options.stall ?? null)} && calls[hook] === ${options.stallAt ?? 1} ? new Promise(() => {}) : undefined
}
export default {
  contract: ${options.contract ?? 1},
  name: ${JSON.stringify(name)},
  schemes: [${JSON.stringify(name)}],
  description: "test sink: JSON lines per stream",
  options: { label: "a label written with every record (required)" },
  config: {
    parse(target) {
      if (typeof target.options.label !== "string" || target.options.label === "") throw new Error("label: expected a non-empty string")
      return { path: target.location, label: target.options.label }
    }
  },
  async open(context) {
    await stallIf("open")
    let pending = []
    let discarded = false
    const discardOnce = () => { if (!discarded) discardLazily(context); discarded = true }
    return {
      async write(batch) { discardOnce(); await stallIf("write"); pending.push(...batch.records.map((r) => ({ stream: context.stream, label: context.config.label, epoch: batch.epoch, record: r }))) },
      async flush() {
        discardOnce()
        await stallIf("flush")
        ${options.holdFlush === undefined ? "" : holdUntilSignal(name, options.holdFlush)}
        if (pending.length) appendFileSync(context.config.path, pending.map((p) => JSON.stringify(p) + "\\n").join("")); pending = []
      },
      async close() { await stallIf("close") }
    }
  }
}
`)
}

const holdUntilSignal = (name: string, then: "then-flush" | "then-fail") => `
        process.stderr.write(${JSON.stringify(`${name}: flush held\n`)})
        // A timer stands for the I/O a real sink would wait on (a listener alone leaves Node's loop empty).
        const alive = setInterval(() => {}, 1000)
        await new Promise((resolve) => context.signal.aborted ? resolve() : context.signal.addEventListener("abort", resolve, { once: true }))
        clearInterval(alive)
        ${then === "then-fail" ? "throw new Error(\"cut short by the signal\")" : ""}`
