import { csvSink } from "./csv-sink.js"

export { csvSink } from "./csv-sink.js"
export type { CsvSinkConfig } from "./csv-config.js"
export { csvField, csvRow } from "./csv-format.js"

/** tikflow loads the default export: `tikflow-sink-csv`, `csv`, or a path to this file. */
export default csvSink
