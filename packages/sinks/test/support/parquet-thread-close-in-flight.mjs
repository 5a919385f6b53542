// A child process for the Parquet encoder thread's close: a part's batch is handed over, and the
// thread takes it (answers the write) while this thread is blocked, so that answer is still to be
// settled when close terminates the thread. Close must resolve and the process end with code 0: an
// answer that unref'd the terminating thread left close's wait for its exit with nothing keeping
// the loop alive, and Node ended the process with exit 13 (unsettled top-level await) whenever the
// exit came a loop turn after the answer. Whether it does is a race, so the child also records
// whether the thread was unref'd between its terminate() and its exit (the cause, deterministic).
// Prints one JSON line.
import { parquetEncoderThread } from "../../dist/parquet/parquet-worker.js"
import { columnBatchBuilder } from "../../dist/schema/column-batch.js"
import { crashVideo } from "./crash-harvest-kit.mjs"

let terminating = false
let unrefWhileTerminating = false
process.on("worker", (worker) => {
  const { terminate, unref } = worker
  worker.terminate = (...args) => {
    terminating = true
    return terminate.apply(worker, args)
  }
  worker.unref = () => {
    unrefWhileTerminating ||= terminating
    return unref.call(worker)
  }
  worker.prependOnceListener("exit", () => void (terminating = false))
})

const thread = parquetEncoderThread()
await thread.ready()
const builder = columnBatchBuilder("video")
builder.append(Array.from({ length: 100 }, (_, i) => crashVideo(i, false)))
const part = thread.open({ compression: "zstd", rowGroupRows: 1000 })
part.write(builder.finish())
// Blocks this thread (not the encoder's) long enough for the encoder to take the batch and answer.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)
await thread.close()
process.stdout.write(`${JSON.stringify({ closed: true, unrefWhileTerminating })}\n`)
