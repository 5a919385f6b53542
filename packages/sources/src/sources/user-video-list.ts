import { videoFields } from "@tikflow/core"
import type { Source, UserVideo, Video } from "@tikflow/core"
import type { TikTokClient } from "../client/tiktok-client.js"
import { decodeRecord } from "../decode/field-decoders.js"
import { videoAliases, videoTable } from "../decode/record-tables.js"
import type { CommonSourceOptions } from "./source-options.js"
import { userListSource } from "./user-list-source.js"

export interface UserVideoListOptions extends CommonSourceOptions {
  readonly usernames: ReadonlyArray<string>
  /** Video fields to request (default: all). */
  readonly fields?: ReadonlyArray<string>
}

export const decodeVideo = (item: unknown, path: string): Video =>
  decodeRecord<Video>(videoTable, item, path, { required: ["id"], aliases: videoAliases })

/** Liked, pinned and reposted lists share everything but the path and where the list sits. */
export const userVideoList = (
  list: UserVideo["list"],
  endpoint: string,
  listKeys: ReadonlyArray<string>,
  options: UserVideoListOptions
): Source<"user_video", TikTokClient> =>
  userListSource({
    kind: "user_video",
    stream: `${list}_videos`,
    endpoint,
    fields: options.fields ?? videoFields,
    listKeys,
    decode: (item, path, ofUsername): UserVideo => ({ ...decodeVideo(item, path), of_username: ofUsername, list })
  }, options)
