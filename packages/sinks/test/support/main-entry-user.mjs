// A child for main-entry.test.ts: imports the built main entry as a user would; with `arrow`, then
// calls its Arrow-producing functions and says whether the batch is of the apache-arrow an import gives.
import { appendFileSync } from "node:fs"
import * as sinks from "../../dist/index.js"

if (process.argv[2] === "arrow") {
  const batch = sinks.toRecordBatch("user_info", [])
  const schema = sinks.arrowSchemaFor("video")
  // What follows is this script's own import: the trace before the marker is what the calls loaded.
  appendFileSync(process.env.TIKFLOW_TEST_MODULE_TRACE, "-- the child's own import\n")
  const { RecordBatch, Schema } = await import("apache-arrow")
  process.stdout.write(JSON.stringify({ batch: batch instanceof RecordBatch, schema: schema instanceof Schema }))
}
