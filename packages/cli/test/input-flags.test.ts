import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The API's repeat quirk at a high rate: every repeated video is one extra record in a response.
const fixture = useSandbox({ seed: 11, faults: { repeat: 0.5 } })
const dir = tempDir()
// Every video: windows of a few hundred, so pages after the first, where the API repeats.
const QUERY = "video_length IN (SHORT, MID, LONG, EXTRA_LONG)"
const RANGE = ["--from", "2024-01-01", "--to", "2024-01-31", "--window-days", "30"]

describe("--no-dedupe and list input from standard input", () => {
  it("by default every video is delivered once, whatever the API repeats", async () => {
    const result = await runCli(["videos", "--query", QUERY, ...RANGE, "--out", "ndjson:./once.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    const ids = readNdjson(join(dir, "once.ndjson")).map((video) => String(video.id))
    const truth = expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-31")
    expect(ids.length).toBe(truth.size)
    expect(new Set(ids)).toEqual(truth)
  })

  it("--no-dedupe delivers every record as the API sent it, repeats included", async () => {
    const repeatsBefore = fixture.sandbox.stats.faults.repeat
    const result = await runCli(["videos", "--query", QUERY, ...RANGE, "--no-dedupe", "--out", "ndjson:./raw.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    const repeats = fixture.sandbox.stats.faults.repeat - repeatsBefore
    expect(repeats).toBeGreaterThan(0)
    const ids = readNdjson(join(dir, "raw.ndjson")).map((video) => String(video.id))
    const truth = expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-31")
    expect(new Set(ids)).toEqual(truth)
    expect(ids.length).toBe(truth.size + repeats)
  })

  it("--usernames-from - reads usernames from standard input", async () => {
    const result = await runCli(["user-info", "--usernames-from", "-", "--out", "ndjson:./users.ndjson"], {
      cwd: dir,
      env: fixture.env(),
      input: "# authors\nuser_00001\n\nuser_00002\r\nuser_00001\n"
    })
    expect(result.code, result.stderr).toBe(0)
    expect(readNdjson(join(dir, "users.ndjson")).map((user) => user.username)).toEqual(["user_00001", "user_00002"])
  })

  it("--video-ids-from - reads video ids from standard input, naming a bad line", async () => {
    const ids = [...expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-31")].slice(0, 3)
    const result = await runCli(["comments", "--video-ids-from", "-", "--out", "ndjson:./comments.ndjson"], {
      cwd: dir,
      env: fixture.env(),
      input: ids.join("\n") + "\n"
    })
    expect(result.code, result.stderr).toBe(0)
    const expected = ids.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)).sort()
    expect(readNdjson(join(dir, "comments.ndjson")).map((comment) => String(comment.id)).sort()).toEqual(expected.map(String))

    const bad = await runCli(["comments", "--video-ids-from", "-", "--out", "ndjson:./bad.ndjson"], { cwd: dir, env: fixture.env(), input: "123\nabc\n" })
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe('tikflow: --video-ids-from: standard input:2: expected a numeric video id per line, got "abc"')
    const empty = await runCli(["user-info", "--usernames-from", "-", "--out", "ndjson:./none.ndjson"], { cwd: dir, env: fixture.env(), input: "" })
    expect(empty.code).toBe(2)
    expect(empty.stderr.trim()).toBe("tikflow: --usernames-from: standard input holds no usernames")
  })

  it("--json is --log-format json: every stderr line a JSON event, the summary among them; text to a pipe has no escapes", async () => {
    const result = await runCli(["user-info", "--username", "user_00001,user_00002", "--json", "--out", "ndjson:./json-users.ndjson"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    const events = result.stderr.trim().split("\n").map((line) => JSON.parse(line) as { type: string })
    expect(events.some((event) => event.type === "progress")).toBe(true)
    expect(events.at(-1)?.type).toBe("summary")
    const text = await runCli(["user-info", "--username", "user_00003", "--out", "ndjson:./text-users.ndjson"], { cwd: dir, env: fixture.env() })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stderr).toContain("done:")
    expect(text.stderr).not.toContain("\x1b")
  })
})
