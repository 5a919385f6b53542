import { CommentTable } from "./comment-table.js"
import { UserTable } from "./user-table.js"
import { UserVideoLists } from "./user-video-lists.js"
import { VideoTable } from "./video-table.js"
import type { ResolvedWorldOptions, WorldOptions } from "./world-options.js"
import { resolveWorldOptions } from "./world-options.js"

/** The whole synthetic world of one seed: a pure function of (seed, options). */
export class World {
  readonly options: ResolvedWorldOptions
  readonly videos: VideoTable
  readonly users: UserTable
  readonly comments: CommentTable
  readonly userVideos: UserVideoLists

  constructor(readonly seed: number, options?: WorldOptions) {
    this.options = resolveWorldOptions(options)
    this.videos = new VideoTable(seed, this.options)
    this.users = new UserTable(seed, this.options)
    this.comments = new CommentTable(seed, this.videos)
    this.userVideos = new UserVideoLists(seed, this.videos, this.options.users)
  }
}
