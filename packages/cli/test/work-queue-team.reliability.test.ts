import { describe, expect, it } from "vitest"
import { runCli } from "./support/run-cli.js"
import { expectedVideoIds, holdsNul } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"
import { clock, column, DAY, fixture, harvestAsTeam, QUERY, researchRequests, server, sorted, team } from "./support/work-queue-team.js"

// The reliability suite (a minute or more each): three workers, two of them SIGKILLed mid-item, a
// small daily quota shared over two days, against a sandbox with faults.
describe("a team of workers on one work queue (--coordinator postgres://, --out postgres://)", () => {
  it("videos: three workers, two SIGKILLs, a small shared quota over two days: the table is the ground truth", { timeout: 180_000 }, async () => {
    const uri = server.uri({ query: "schema=team_videos" })
    const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-24", "--window-days", "3",
      "--out", uri, "--coordinator", uri, "--commit-every", "100", "--concurrency", "1"]
    // A description holding U+0000 is stored escaped and counted: the worker whose items hold one ends 8.
    await harvestAsTeam("team_videos", args, 45, holdsNul(fixture.sandbox, QUERY, "2024-01-01", "2024-01-24") ? [0, 8] : [0])
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-24"))
    expect(expected.length).toBeGreaterThan(1000)
    // One row per key by construction (primary key): the ids are exactly the ground truth's.
    expect(sorted(column("select id from team_videos.videos"))).toEqual(expected)

    // The team's history is in the coordinator: complete, every day covered, the records counted
    // exactly (a taken-over item continues its counts from its checkpoint), one run per worker.
    const dir = tempDir()
    const runs = await runCli(["runs", "--coordinator", uri, "--json"], { cwd: dir, env: fixture.env() })
    expect(runs.code, runs.stderr).toBe(0)
    const [harvest] = JSON.parse(runs.stdout) as Array<{ id: string; status: string; records: number; endpoint: string }>
    expect(harvest).toMatchObject({ endpoint: "videos", status: "complete", records: expected.length })
    const shown = await runCli(["runs", "show", harvest!.id, "--coordinator", uri, "--json"], { cwd: dir, env: fixture.env() })
    const record = JSON.parse(shown.stdout) as { coverage: { days: Record<string, unknown> }; runs: Array<unknown> }
    expect(Object.keys(record.coverage.days)).toHaveLength(24)
    expect(record.runs).toHaveLength(6)
    // The report reads the same history.
    const report = await runCli(["report", "--out", "team.html", "--coordinator", uri], { cwd: dir, env: fixture.env() })
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toMatch(new RegExp(`1 harvest, .* records, .* \\(from postgres://tikflow@127\\.0\\.0\\.1:${server.port}/tikflow\\?schema=team_videos\\)`))
    // Any later worker, on any machine, finds it complete and sends nothing.
    clock.offset = 2 * DAY
    const before = researchRequests()
    const [late] = team(dir, "day3", 1, [...args, "--daily-quota", "45"])
    const again = await late!.done
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/already complete: \d+ records/)
    expect(researchRequests()).toBe(before)
  })

  it("comments: three workers, two SIGKILLs, a small shared quota over two days: the comments of 40 videos, each exactly once", { timeout: 180_000 }, async () => {
    // Videos with 1 to 150 comments: four items of ten videos, about 45 pages in all.
    const videoIds = [...expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-09")]
      .filter((id) => fixture.sandbox.groundTruth.comments(id).length > 0 && fixture.sandbox.groundTruth.comments(id).length <= 150)
      .slice(0, 40)
    expect(videoIds).toHaveLength(40)
    const uri = server.uri({ query: "schema=team_comments" })
    const args = ["comments", "--video-id", videoIds.join(","), "--out", uri, "--coordinator", uri, "--commit-every", "100", "--concurrency", "1"]
    await harvestAsTeam("team_comments", args, 40)
    const expected = sorted(videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    expect(sorted(column("select id from team_comments.comments"))).toEqual(expected)
  })
})
