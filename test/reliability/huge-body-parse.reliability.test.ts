import { describe, expect, it } from "vitest"
import { parseLosslessJsonBytes } from "../../packages/core/src/model.js"

describe("a huge API body parsed from its bytes", () => {
  it("a body whose escaped copy would pass V8's string length limit (its UTF-8 text does not) parses through the text path", () => {
    // 90M × "é" (2 bytes each, 180 MB): escaped as \u00e9, 540M chars, over V8's 2^29 − 24; as
    // text, 90M chars. Escaping it ran the heap out (4 GB, a crash) before it reached the limit.
    // The body is over the client's default limit (32 MiB): a user who raised `maxResponseBytes`.
    const count = 90_000_000
    const head = Buffer.from('{"data":{"videos":[{"id":7320768196569599275,"text":"')
    const tail = Buffer.from('"}]}}')
    const body = Buffer.allocUnsafe(head.length + count * 2 + tail.length)
    head.copy(body, 0)
    body.fill(Buffer.from("é"), head.length, head.length + count * 2)
    tail.copy(body, head.length + count * 2)
    const parsed = parseLosslessJsonBytes(body) as { data: { videos: Array<{ id: unknown; text: string }> } }
    const [video] = parsed.data.videos
    expect(video!.id).toBe("7320768196569599275")
    expect(video!.text.length).toBe(count)
    expect(/^é*$/.test(video!.text)).toBe(true)
  })
})
