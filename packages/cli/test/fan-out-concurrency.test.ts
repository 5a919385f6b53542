import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The real API answers in a few hundred ms: with latency, one item at a time is what --concurrency must beat.
const fixture = useSandbox({ seed: 7, faults: {}, latencyMs: 30 })
const dir = tempDir()

describe("fan-out commands run --concurrency items at once, output in input order", () => {
  it("comments: as many requests in flight as --concurrency, each video's comments in list order", async () => {
    const videoIds = Array.from({ length: 12 }, (_, i) => String(fixture.sandbox.world.videos.video(i * 11).id))
    fixture.sandbox.resetPeakInFlight()
    const result = await runCli(["comments", "--video-id", videoIds.join(","), "--concurrency", "4", "--out", "ndjson:./comments.ndjson"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code, result.stderr).toBe(0)
    expect(fixture.sandbox.stats.peakInFlight).toBe(4)
    const expected = videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => String(comment.id)))
    expect(expected.length).toBeGreaterThan(0)
    expect(readNdjson(join(dir, "comments.ndjson")).map((comment) => String(comment.id))).toEqual(expected)
  })

  it("user-info: --concurrency 3 keeps three requests in flight; records in the order of the names", async () => {
    const names = Array.from({ length: 9 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    fixture.sandbox.resetPeakInFlight()
    const result = await runCli(["user-info", "--username", names.join(","), "--concurrency", "3", "--out", "ndjson:./users.ndjson"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code, result.stderr).toBe(0)
    expect(fixture.sandbox.stats.peakInFlight).toBe(3)
    expect(readNdjson(join(dir, "users.ndjson")).map((user) => user.username)).toEqual(names)
  })
})
