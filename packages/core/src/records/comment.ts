/** A comment on a video. Top-level comments carry `parent_comment_id` equal to `video_id`. */
export interface Comment {
  readonly id: string
  readonly video_id: string
  readonly text: string | null
  readonly like_count: number | null
  readonly reply_count: number | null
  readonly parent_comment_id: string | null
  readonly create_time: number | null
}

export const commentFields = [
  "id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"
] as const satisfies ReadonlyArray<keyof Comment>
