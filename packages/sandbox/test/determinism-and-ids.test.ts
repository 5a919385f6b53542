import type { Sandbox, SandboxOptions } from "@tikflow/sandbox"
import { startSandbox, videoFieldNames } from "@tikflow/sandbox"
import { describe, expect, it } from "vitest"
import { post, token } from "./support/client.js"

const query = { or: [{ field_name: "hashtag_name", operation: "IN", field_values: ["fyp", "cats", "viral"] }] }
const window = { start_date: "20240201", end_date: "20240225" }

/** A fixed script of requests; returns status and raw text of each answer. */
const script = async (sandbox: Sandbox): Promise<Array<string>> => {
  const accessToken = await token(sandbox)
  const out: Array<string> = []
  let cursor = 0
  let searchId: string | undefined
  for (let k = 0; k < 6; k++) {
    const answer = await post(sandbox, "video/query", videoFieldNames.join(","), { query, ...window, max_count: 40, cursor, search_id: searchId }, accessToken)
    out.push(`${answer.status} ${answer.text}`)
    if (answer.status === 200) {
      cursor = answer.json.data.cursor
      searchId = answer.json.data.search_id
    }
  }
  for (const username of ["user_00001", "user_00002", "user_00003"]) {
    const answer = await post(sandbox, "user/info", "display_name,bio_url,follower_count", { username }, accessToken)
    out.push(`${answer.status} ${answer.text}`)
    const followers = await post(sandbox, "user/followers", "username", { username, max_count: 5 }, accessToken)
    out.push(`${followers.status} ${followers.text}`)
  }
  let index = 0
  while (sandbox.world.videos.video(index).hidden || sandbox.world.videos.video(index).commentCount < 5) index++
  const videoId = sandbox.world.videos.idOf(index)
  const comments = await post(sandbox, "video/comment/list", "id,text,parent_comment_id", { video_id: videoId, max_count: 10 }, accessToken)
  out.push(`${comments.status} ${comments.text}`)
  return out
}

const run = async (options: SandboxOptions) => {
  const sandbox = await startSandbox({ clock: () => Date.UTC(2025, 0, 2, 3, 4, 5), world: { videos: 6000, users: 200 }, ...options })
  try {
    return await script(sandbox)
  } finally {
    await sandbox.stop()
  }
}

describe("determinism", () => {
  it("the same seed gives the same world and byte-identical answers, faults included", async () => {
    const faults = { serverError: 0.1, shortPage: 0.1, repeat: 0.1, searchIdInvalid: 0.1 }
    const a = await run({ seed: 42, faults, bareNumberIdShare: 0.5 })
    const b = await run({ seed: 42, faults, bareNumberIdShare: 0.5 })
    expect(a).toEqual(b)
    const c = await run({ seed: 43, faults, bareNumberIdShare: 0.5 })
    expect(c).not.toEqual(a)
  })
})

describe("ids on the wire", () => {
  const bareId = /"(?:id|music_id|video_id|parent_comment_id)":\d{19}[,}]/
  const quotedId = /"(?:id|music_id|video_id|parent_comment_id)":"\d{19}"/

  it("sends ids as bare JSON numbers beyond 2^53 by default", async () => {
    const answers = await run({ seed: 1 })
    const pages = answers.filter((a) => a.startsWith("200") && a.includes('"videos"'))
    expect(pages.length).toBeGreaterThan(0)
    for (const page of pages) {
      expect(page).toMatch(bareId)
      expect(page).not.toMatch(quotedId)
    }
    const comments = answers[answers.length - 1]
    expect(comments).toMatch(/"parent_comment_id":\d{19}/)
  })

  it("sends them as strings on the other share of responses", async () => {
    const strings = await run({ seed: 1, bareNumberIdShare: 0 })
    for (const page of strings.filter((a) => a.startsWith("200") && a.includes('"videos"'))) {
      expect(page).toMatch(quotedId)
      expect(page).not.toMatch(bareId)
    }
    const mixed = await run({ seed: 1, bareNumberIdShare: 0.5 })
    const withIds = mixed.filter((a) => a.startsWith("200") && (a.includes('"videos"') || a.includes('"comments"')))
    expect(withIds.some((a) => bareId.test(a))).toBe(true)
    expect(withIds.some((a) => quotedId.test(a))).toBe(true)
  })

  it("answers every success with error.code ok and a log_id, some with msg instead of message", async () => {
    const answers = await run({ seed: 3, msgKeyShare: 0.5 })
    const ok = answers.filter((a) => a.startsWith("200"))
    for (const a of ok) expect(a).toMatch(/"error":\{"code":"ok","(message|msg)":"","log_id":"\d{14}[0-9A-F]{20}"\}\}$/)
    expect(ok.some((a) => a.includes('"msg":""'))).toBe(true)
    expect(ok.some((a) => a.includes('"message":""'))).toBe(true)
  })
})
