import { describe, expect, it } from "vitest"
import { validatePipeline } from "../../src/pipeline-file/read-pipeline-file.js"

/** The CLI's clock in these tests: relative days count back from it. */
const today = new Date("2024-03-10T15:00:00Z")

describe("pipeline file validation", () => {
  it("builds jobs with default sinks, default dedupe and inputs from earlier jobs", () => {
    const spec = validatePipeline({
      sinks: ["duckdb:./db.duckdb", { uri: "parquet:./p", options: { compression: "snappy", part_rows: 10n } }],
      jobs: [
        { name: "v", source: { endpoint: "videos", query: "region_code = US", from: "2024-01-01", to: "2024-01-31", fields: "id,username" } },
        { source: { endpoint: "comments", video_ids_from: "v" }, transforms: [{ dedupe: { keep: "last", by: "create_time" } }] },
        { source: { endpoint: "followers", usernames: ["a", "b"] }, transforms: [], sinks: ["ndjson:-"] },
        { source: { endpoint: "comments", video_ids: [7320768196569599275n] } },
        { source: { endpoint: "videos", query: "region_code = US", from: "2024-01-01", to: "2024-01-31", keep_repeats: true }, transforms: [] }
      ]
    }, "p.yaml", today)
    expect(spec.jobs.map((job) => job.name)).toEqual(["v", "job2", "job3", "job4", "job5"])
    expect(spec.jobs[0].source).toMatchObject({ endpoint: "videos", windowDays: 30, fields: ["id", "username"], random: false })
    expect(spec.jobs[0].source).not.toHaveProperty("keepRepeats")
    expect(spec.jobs[4].source).toMatchObject({ endpoint: "videos", keepRepeats: true })
    expect(spec.jobs[0].transforms).toEqual([{ kind: "dedupe", keep: "first" }])
    expect(spec.jobs[0].sinks.map((sink) => sink.uri)).toEqual(["duckdb:./db.duckdb", "parquet:./p"])
    expect(spec.jobs[0].sinks[1].options).toEqual({ compression: "snappy", part_rows: 10 })
    expect(spec.jobs[1].source).toEqual({ endpoint: "comments", videoIds: { kind: "job", job: "v", field: "video_id" } })
    expect(spec.jobs[1].transforms).toEqual([{ kind: "dedupe", keep: { last: "create_time" } }])
    expect(spec.jobs[2]).toMatchObject({ transforms: [], sinks: [{ uri: "ndjson:-" }] })
    // A video id beyond 2^53 keeps every digit.
    expect(spec.jobs[3].source).toEqual({ endpoint: "comments", videoIds: { kind: "values", values: ["7320768196569599275"] } })
  })

  it("takes today, yesterday and -Nd as UTC days counted back from the CLI's clock", () => {
    const spec = validatePipeline({
      sinks: ["ndjson:-"],
      jobs: [
        { source: { endpoint: "videos", query: "region_code = US", from: "-7d", to: "yesterday" } },
        { source: { endpoint: "videos", query: "region_code = US", from: "2024-03-01", to: "today" } }
      ]
    }, "p.yaml", today)
    expect(spec.jobs[0].source).toMatchObject({ from: "2024-03-03", to: "2024-03-09" })
    expect(spec.jobs[1].source).toMatchObject({ from: "2024-03-01", to: "2024-03-10" })
  })

  it.each<[unknown, string]>([
    [{ jobs: [] }, "jobs: expected at least one job"],
    [{ jobs: [{ source: { endpoint: "video" } }] }, 'jobs[0].source.endpoint: expected one of videos, user-info'],
    [{ jobs: [{ source: { endpoint: "videos", query: "x = 1", from: "2024-01-02", to: "2024-01-01" } }], sinks: ["ndjson:-"] }, "jobs[0].source.from: expected a date ≤ to (2024-01-01)"],
    [{ jobs: [{ source: { endpoint: "videos", query: "x", from: "2024-03-01", to: "tomorrow" } }] }, 'jobs[0].source.to: expected a date YYYY-MM-DD, today, yesterday or -Nd (N days before today), got "tomorrow"'],
    [{ jobs: [{ source: { endpoint: "videos", query: "x", from: "2024-03-01", to: "2024-03-11" } }] }, "jobs[0].source.to: expected a day up to today (2024-03-10 UTC), not in the future"],
    [{ jobs: [{ source: { endpoint: "videos", query: "x", from: "-4000d", to: "today" } }] }, "jobs[0].source.from: -4000d (2013-03-28) is before the Research API's data starts"],
    [{ jobs: [{ source: { endpoint: "videos", query: "x", from: "2024-01-01", to: "2024-01-02", window_days: 45n } }] }, "jobs[0].source.window_days: expected a whole number from 1 to 30"],
    // Objects `Number()` cannot convert (a `toString` that is no function) are bad input too, not a TypeError.
    [{ version: { toString: {} }, jobs: [] }, "version: expected 1"],
    [{ jobs: [{ source: { endpoint: "videos", query: "x", from: "2024-01-01", to: "2024-01-02", window_days: { toString: {} } } }] }, "jobs[0].source.window_days: expected a whole number from 1 to 30"],
    [{ jobs: [{ source: { endpoint: "user-info", usernames: ["a"], usernames_from: "f.txt" } }] }, "jobs[0].source.usernames_from: expected either usernames or usernames_from, not both"],
    [{ jobs: [{ source: { endpoint: "comments", video_ids: ["12", "x1"] } }] }, "jobs[0].source.video_ids[1]: expected a numeric video id"],
    [{ jobs: [{ source: { endpoint: "user-info", usernames: ["a"] } }] }, "jobs[0].sinks: expected at least one sink"],
    [{ jobs: [{ source: { endpoint: "user-info", usernames: ["a"] }, transforms: ["join"] }], sinks: ["ndjson:-"] }, "jobs[0].transforms[0]: expected a transform: dedupe"],
    [{ jobs: [{ name: "a", source: { endpoint: "user-info", usernames: ["a"] } }, { name: "a", source: { endpoint: "user-info", usernames: ["b"] } }], sinks: ["ndjson:-"] }, "jobs[1].name: expected a name no other job has"]
  ])("bad pipeline %#", (value, message) => {
    expect(() => validatePipeline(value, "p.yaml", today)).toThrow(message)
  })
})
