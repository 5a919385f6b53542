// A child process for the Parquet encoder thread's lifecycle test: a fresh process, so the thread it
// sees start and end is the one its sinks hold. Two Parquet sinks (two streams) share the thread; it
// dies mid-epoch (terminated from outside, as a crash ends it); then a new sink starts a new thread,
// writes and closes; a last sink is opened and never closed, and the process must still exit.
// Prints one JSON line of what it saw.
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { resolveSink } from "../../dist/index.js"
import { crashVideo, streamContext } from "./crash-harvest-kit.mjs"

const dir = process.argv[2]
const threads = []
const exits = []
process.on("worker", (worker) => {
  const index = threads.push(worker) - 1
  worker.once("exit", (code) => exits.push({ thread: index, code }))
})
const tick = () => new Promise((resolve) => setImmediate(resolve))
const videos = (from, count) => Array.from({ length: count }, (_, i) => crashVideo(from + i, false))
const open = async (name) => {
  const writer = await resolveSink(`parquet:${join(dir, name)}`).open({ ...streamContext("lifecycle"), stream: name })
  return writer
}
const outcome = (promise) => promise.then(() => "ok", (error) => error.message)
const files = (name) => {
  try {
    return readdirSync(join(dir, name, name))
  } catch {
    return []
  }
}
const checkpoint = { version: 1, harvestId: "lifecycle", epoch: 1, state: {}, updatedAt: new Date(0).toISOString() }

const [a, b] = [await open("a"), await open("b")]
await tick()
const sharedThreads = threads.length
// 9,000 rows into a: its first 8,192 are handed to the thread as one batch; 100 into b stay staged.
await a.write({ records: videos(0, 9000), epoch: 1 })
await b.write({ records: videos(0, 100), epoch: 1 })
// Terminated from outside: the sinks' thread handle does not know, and unrefs the thread once its
// last request is answered (a's batch, taken just before), so something else must keep the loop
// alive while this waits for the exit, or Node may end the process here (exit 13, unsettled await).
const alive = setInterval(() => undefined, 60_000)
await threads[0].terminate()
clearInterval(alive)
const crashed = {
  flushA: await outcome(a.flush({ epoch: 1, checkpoint })),
  flushB: await outcome(b.flush({ epoch: 1, checkpoint })),
  writeA: await outcome(a.write({ records: videos(9000, 1), epoch: 1 })),
  closeA: await outcome(a.close()),
  closeB: await outcome(b.close()),
  files: [...files("a"), ...files("b")]
}
const c = await open("c")
await tick()
await c.write({ records: videos(0, 9000), epoch: 1 })
const flushC = await outcome(c.flush({ epoch: 1, checkpoint }))
const closeC = await outcome(c.close())
await tick()
const afterClose = { threads: threads.length, exits: [...exits], files: files("c").length }
// Opened, written to and never closed (a run failing elsewhere): the process still ends.
const d = await open("d")
await d.write({ records: videos(0, 10), epoch: 1 })
process.stdout.write(`${JSON.stringify({ sharedThreads, crashed, flushC, closeC, afterClose })}\n`)
