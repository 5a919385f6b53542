import { decodeUserVideoListResponse, videoApiFields } from "@tikflow/core/internal"
import type { Source, UserVideo } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import type { CommonSourceOptions } from "./source-options.js"
import { userListSource } from "./user-list-source.js"

export interface UserVideoListOptions extends CommonSourceOptions {
  readonly usernames: ReadonlyArray<string>
  /** Video fields to request (default: all). */
  readonly fields?: ReadonlyArray<string>
}

/** Liked, pinned and reposted lists share everything but the path (core's decoder knows each list's key). */
export const userVideoList = (
  list: UserVideo["list"],
  endpoint: string,
  options: UserVideoListOptions
): Source<"user_video", TikTokClient> =>
  userListSource({
    kind: "user_video",
    stream: `${list}_videos`,
    endpoint,
    fields: options.fields ?? videoApiFields,
    decodePage: (body, username) => decodeUserVideoListResponse(body, list, username, endpoint)
  }, options)
