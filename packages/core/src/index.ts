/**
 * @tikflow/core — the public surface. Areas are namespaces in the Effect style (`Pipeline.make`,
 * `Transform.dedupe`, `Query.field`, …); what every user and plugin author touches is flat: the
 * record types, the errors, the source and sink contracts, the plugin author's kit. The other
 * tikflow packages import `@tikflow/core/internal`, which has no stability promise.
 */
export * as Pipeline from "./public/pipeline.js"
export * as Transform from "./public/transform.js"
export * as Rx from "./public/rx.js"
export * as Query from "./public/query.js"
export * as Quota from "./public/quota.js"
export * as Checkpoint from "./public/checkpoint.js"
export * as History from "./public/history.js"
export * as Retry from "./public/retry.js"
export * as Rate from "./public/rate.js"
export * as Json from "./public/json.js"
export * as Api from "./public/api.js"
export * as Archive from "./public/archive.js"

// Records: the five kinds, their fields and primary keys.
export type { UserVideo, Video } from "./records/video.js"
export { videoFields } from "./records/video.js"
export type { UserInfo } from "./records/user-info.js"
export { userInfoFields } from "./records/user-info.js"
export type { Comment } from "./records/comment.js"
export { commentFields } from "./records/comment.js"
export type { SocialUser } from "./records/social-user.js"
export { socialUserFields } from "./records/social-user.js"
export type { AnyRecord, RecordKind, RecordKindInfo, RecordKinds } from "./records/record-kind.js"
export { recordKinds } from "./records/record-kind.js"
// Provenance: the fields the runner stamps on every record it delivers (sinks store them last).
export type { Provenance } from "./records/provenance.js"
export { provenanceFields } from "./records/provenance.js"

// Errors: each a tagged value (`_tag`), so Effect users `catchTag` and everyone else `instanceof`.
export * from "./errors/api-errors.js"
export { ConfigError } from "./errors/config-error.js"
export { CheckpointError, SinkError } from "./errors/sink-error.js"
export { StoreBehindError } from "./errors/store-behind-error.js"
export type { StoreEpoch } from "./errors/store-behind-error.js"
export { FileWriteError } from "./errors/file-write-error.js"

// Sources and progress (implemented by @tikflow/sources).
export type { RawResponse, Source, SourcePage } from "./source/source.js"
export type { ItemRefusedEvent, ProgressEvent, ProgressListener, ValuesChangedEvent } from "./progress/progress-event.js"

// For sink plugin authors: the contract, option readers with the standard one-line errors, the
// epoch-tagged append file that cuts unacknowledged epochs on resume, the one atomic write.
export * from "./sink/sink-plugin.js"
export * from "./sink/option-readers.js"
export { changeReasons, changeTally, mergeChangedValues, wellFormedText } from "./sink/changed-values.js"
export type { ChangedValues, ChangeTally } from "./sink/changed-values.js"
export { epochOffsetsPath, openEpochAppendFile } from "./sink/epoch-append-file.js"
export { dayBounds, dayOfUnixSeconds, inDays, provisionalDayOf } from "./sink/day-bounds.js"
export type { EpochAppendFile } from "./sink/epoch-append-file.js"
export { writeFileAtomic, writeJsonAtomic } from "./files/atomic-write.js"
export type { AtomicWriteOptions } from "./files/atomic-write.js"
export { writeFully } from "./files/write-fully.js"
