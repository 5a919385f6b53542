import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, refuses, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

/**
 * Items the API refuses in a fan-out (an unknown video, a private account or list) are counted per
 * harvest and item kind in the text and JSON summaries, and the run exits 5: finished, not complete.
 */
const fixture = useSandbox()
const dir = tempDir()

// Ids the sandbox never issued: 19 digits, as real ids are.
const unknownIds = (count: number) => Array.from({ length: count }, (_, i) => `91${String(i).padStart(17, "0")}`)

type JsonLine = Record<string, unknown> & { type: string }
const jsonLines = (stderr: string): Array<JsonLine> => stderr.trim().split("\n").map((line) => JSON.parse(line) as JsonLine)

describe("refused fan-out items: counted, reported, exit 5", () => {
  it("comments of 50 unknown videos: all refused, said plainly, exit 5", async () => {
    const ids = unknownIds(50)
    expect(ids.every((id) => refuses(() => fixture.sandbox.groundTruth.comments(id)))).toBe(true)
    const result = await runCli(["comments", "--video-id", ids.join(","), "--out", "ndjson:./none.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toMatch(/comments +0 records/)
    expect(result.stderr).toContain(`all 50 of 50 video ids refused by the API (invalid_params 50), nothing stored for them: ${ids.slice(0, 5).join(", ")}, … and 45 more`)
    expect(result.stderr).toContain("tikflow: comments: the API refused every one of the 50 video ids asked for; nothing was harvested for them")
    expect(result.stderr).toContain("tikflow: finished, but the API refused 50 video ids (see the summary)")
  })

  it("comments of known and unknown videos: the known ones harvested in full, the others counted", async () => {
    const known = [...expectedVideoIds(fixture.sandbox, "region_code = US", "2024-01-01", "2024-01-20")].slice(0, 3)
    const unknown = unknownIds(2)
    const ids = [known[0], unknown[0], known[1], unknown[1], known[2]]
    const result = await runCli(["comments", "--video-id", ids.join(","), "--out", "ndjson:./some.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(`2 of 5 video ids refused by the API (invalid_params 2), nothing stored for them: ${unknown.join(", ")}`)
    expect(result.stderr).not.toMatch(/refused every one/)
    const expected = known.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((c) => String(c.id))).sort()
    expect(readNdjson(join(dir, "some.ndjson")).map((c) => String(c.id)).sort()).toEqual(expected)
  })

  it("--log-format json: each refusal names its item by kind (video_id), the summary counts them, exit 5", async () => {
    const known = [...expectedVideoIds(fixture.sandbox, "region_code = US", "2024-01-01", "2024-01-20")][0]
    const unknown = unknownIds(3)
    const result = await runCli(["comments", "--video-id", [known, ...unknown].join(","), "--out", "ndjson:./json.ndjson", "--log-format", "json"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code, result.stderr).toBe(5)
    const lines = jsonLines(result.stderr)
    const refusals = lines.filter((line) => line.type === "progress" && (line.event as JsonLine).type === "item-refused").map((line) => line.event as JsonLine)
    expect(refusals.map((event) => event.item).sort()).toEqual([...unknown].sort())
    for (const event of refusals) {
      expect(event).toMatchObject({ itemKind: "video_id", code: "invalid_params", endpoint: "/v2/research/video/comment/list/" })
      expect(event).not.toHaveProperty("username")
    }
    const summary = lines.find((line) => line.type === "summary")!
    expect(summary).toMatchObject({ exitCode: 5, refused: { video_id: 3 } })
    expect((summary.streams as Array<JsonLine>)[0].refused).toEqual({
      itemKind: "video_id",
      count: 3,
      of: 4,
      byCode: { invalid_params: 3 },
      items: expect.arrayContaining(unknown)
    })
  })

  it("user-info: the summary counts lookup errors beside the records, JSON too", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    const refused = names.filter((name) => refuses(() => fixture.sandbox.groundTruth.userInfo(name)))
    expect(refused.length).toBeGreaterThan(0)
    const text = await runCli(["user-info", "--username", names.join(","), "--out", "ndjson:./users.ndjson"], { cwd: dir, env: fixture.env() })
    expect(text.code, text.stderr).toBe(5)
    expect(text.stderr).toMatch(/users +20 records/)
    expect(text.stderr).toContain(`${refused.length} of 20 usernames refused by the API (invalid_params ${refused.length}), kept as records with lookup_error: ${refused.slice(0, 5).join(", ")}`)
    const records = readNdjson(join(dir, "users.ndjson"))
    expect(records.filter((r) => r.lookup_error !== null).map((r) => r.username).sort()).toEqual([...refused].sort())

    const json = await runCli(["user-info", "--username", names.join(","), "--out", "ndjson:./users-json.ndjson", "--log-format", "json"], { cwd: dir, env: fixture.env() })
    expect(json.code, json.stderr).toBe(5)
    const summary = jsonLines(json.stderr).find((line) => line.type === "summary")!
    expect(summary).toMatchObject({ exitCode: 5, refused: { username: refused.length } })
    expect((summary.streams as Array<JsonLine>)[0]).toMatchObject({ records: 20, refused: { itemKind: "username", count: refused.length, of: 20 } })
  })

  it("followers: private lists counted per harvest, the public ones harvested", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    const refused = names.filter((name) => refuses(() => fixture.sandbox.groundTruth.followers(name)))
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.length).toBeLessThan(names.length)
    const result = await runCli(["followers", "--username", names.join(","), "--out", "ndjson:./followers.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toContain(`${refused.length} of 12 usernames refused by the API (invalid_params ${refused.length}), nothing stored for them`)
    const expected = names.filter((name) => !refused.includes(name)).flatMap((name) => fixture.sandbox.groundTruth.followers(name).map((f) => `${name}/${f.username}`))
    expect(readNdjson(join(dir, "followers.ndjson")).map((r) => `${r.of_username}/${r.username}`).sort()).toEqual(expected.sort())
  })

  it("refusals before an interruption still count after the resume (saved with the checkpoint)", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    const refused = names.filter((name) => refuses(() => fixture.sandbox.groundTruth.userInfo(name)))
    expect(names.indexOf(refused[0])).toBeLessThan(10)
    const args = ["user-info", "--username", names.join(","), "--out", "ndjson:./resumed.ndjson", "--commit-every", "1", "--concurrency", "1"]
    const child = spawnCli([...args, "--log-format", "json", "--rate", "4"], { cwd: dir, env: fixture.env() })
    const done = collect(child)
    await waitForOutput(child, /"item-refused"[\s\S]*"type":"checkpoint"/)
    child.kill("SIGINT")
    const first = await done
    expect(first.code, first.stderr).toBe(130)
    const before = jsonLines(first.stderr).filter((line) => line.type === "progress" && (line.event as JsonLine).type === "item-refused").length
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(refused.length)

    const second = await runCli(args, { cwd: dir, env: fixture.env() })
    expect(second.code, second.stderr).toBe(5)
    expect(second.stderr).toMatch(/resuming harvest users-/)
    expect(second.stderr).toContain(`${refused.length} of 40 usernames refused by the API (invalid_params ${refused.length}), kept as records with lookup_error: ${refused.slice(0, 5).join(", ")}`)
  })

  it("nothing refused: exit 0 and no refusal line", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`).filter((name) => !refuses(() => fixture.sandbox.groundTruth.userInfo(name)))
    const result = await runCli(["user-info", "--username", names.slice(0, 5).join(","), "--out", "ndjson:./fine.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toMatch(/refused/)
  })
})
