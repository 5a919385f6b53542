import { describe, expect, it } from "vitest"
import type { Comment } from "../../src/records/comment.js"
import type { Video } from "../../src/records/video.js"
import type { CommentFromWire } from "../../src/schema/comment.js"
import { assertTrue } from "../../src/schema/type-equality.js"
import type { Equals } from "../../src/schema/type-equality.js"
import type { VideoFromWire } from "../../src/schema/video.js"

describe("decoded types", () => {
  it("are exactly the record interfaces, and the check can fail", () => {
    assertTrue<Equals<typeof VideoFromWire.Type, Video>>()
    assertTrue<Equals<typeof CommentFromWire.Type, Comment>>()
    // @ts-expect-error a field less is not the same type
    assertTrue<Equals<Omit<Video, "id">, Video>>()
    // @ts-expect-error nor is a mutable field
    assertTrue<Equals<{ id: string }, { readonly id: string }>>()
    // @ts-expect-error nor a nullable one
    assertTrue<Equals<{ readonly id: string | null }, { readonly id: string }>>()
    expect(assertTrue<true>()).toBeUndefined()
  })
})
