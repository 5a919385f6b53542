// A child process for the postgres crash test: a deterministic "harvest" of N videos (with hostile
// text) written in pages through the public registry to a postgres sink, committing like the
// pipeline runner (write an epoch's pages → flush with the checkpoint) and resuming from the
// checkpoint the database holds. CRASH_POINT / CRASH_MODE / CRASH_DELAY_MS: see crashStepper.
import { resolveSink } from "../../dist/index.js"
import { crashStepper, harvestInEpochs, streamContext } from "./crash-harvest-kit.mjs"

const [uri, total, pageSize, pagesPerEpoch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])]
const harvestId = "pg-crash-harvest"

const writer = await resolveSink(uri).open(streamContext(harvestId, undefined))
const resume = await writer.checkpoints.load(harvestId)
await harvestInEpochs({ writers: [writer], harvestId, total, pageSize, pagesPerEpoch, resume, hostile: true, step: crashStepper() })
await writer.close()
process.stdout.write("done\n")
