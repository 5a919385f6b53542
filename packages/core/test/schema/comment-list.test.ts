import { describe, expect, it } from "vitest"
import { commentFields } from "../../src/records/comment.js"
import { decodeCommentListResponseSync } from "../../src/schema/comment-list.js"
import { fixture } from "./fixtures.js"

describe("decodeCommentListResponse", () => {
  it("decodes the recorded page: empty text kept, missing reply_count null, top-level parent = video", () => {
    const page = decodeCommentListResponseSync(fixture("recorded/comment_list_page.json"))
    expect(page.records).toHaveLength(6)
    expect(page.cursor).toBe(6)
    expect(page.hasMore).toBe(false)
    expect(page.searchId).toBeNull()
    expect(page.records[0]).toEqual({
      id: "7386111312293610270",
      video_id: "7385291383449439519",
      text: "",
      like_count: 0,
      reply_count: null,
      parent_comment_id: "7385291383449439519",
      create_time: 1719713129
    })
    for (const comment of page.records) expect(Object.keys(comment)).toEqual([...commentFields])
  })

  it("decodes the documentation example, ids safe or not", () => {
    const page = decodeCommentListResponseSync(fixture("docs-examples/example_resp_comments.json"))
    expect(page.records[0]).toEqual({
      id: "12345616934634134",
      video_id: "1234563451201523412",
      text: "AWEEEEEE 🥰🥰🥰",
      like_count: 50,
      reply_count: 10,
      parent_comment_id: "1234561201524010",
      create_time: 1671491598
    })
    expect(page).toMatchObject({ cursor: 300, hasMore: true })
  })

  it("requires the comment's id and video_id and names the path", () => {
    expect(() => decodeCommentListResponseSync({ data: { comments: [{ id: "1", video_id: "2" }, { id: "3" }] } })).toThrow(
      expect.objectContaining({ path: "data.comments[1].video_id", endpoint: "/v2/research/video/comment/list/" })
    )
    expect(() => decodeCommentListResponseSync({ data: { comments: [{ id: "1", video_id: "2", like_count: [] }] } })).toThrow(
      "data.comments[0].like_count: expected number"
    )
  })
})
