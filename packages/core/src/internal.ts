// Everything core has, flat: for the other tikflow packages and their tests (`@tikflow/core/internal`).
// No stability promise; applications and plugins use `@tikflow/core` (index.ts).
export * from "./records/video.js"
export * from "./records/user-info.js"
export * from "./records/comment.js"
export * from "./records/social-user.js"
export * from "./records/record-kind.js"
export * from "./records/provenance.js"
export * from "./errors/api-errors.js"
export * from "./errors/config-error.js"
export * from "./errors/sink-error.js"
export * from "./errors/store-behind-error.js"
export * from "./errors/file-write-error.js"
export * from "./errors/to-sink-error.js"
export * from "./errors/one-line.js"
export * from "./checkpoint/checkpoint-store.js"
export * from "./progress/progress-event.js"
export * from "./source/source.js"
export * from "./sink/sink-plugin.js"
// For sink plugin authors: option readers with the standard one-line errors, the epoch-tagged
// append file that cuts unacknowledged epochs on resume.
export * from "./sink/option-readers.js"
export * from "./sink/epoch-append-file.js"
export * from "./sink/day-bounds.js"
export * from "./sink/changed-values.js"
export { failUnsettledSinkSteps } from "./sink/unsettled-steps.js"
// The raw archive: its line format, writer (the runner's) and reader (replay's).
export * from "./archive/archive-format.js"
export * from "./archive/archive-writer.js"
export * from "./archive/archive-reader.js"
// Areas filled by separate modules: the API model (schemas, lossless JSON, query), the runtime
// (retry policies, rate and quota control, checkpoint stores), and the flow (transforms, interop,
// pipelines).
export * from "./model.js"
export * from "./runtime.js"
export * from "./flow.js"
