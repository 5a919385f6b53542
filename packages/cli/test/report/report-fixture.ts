import type { ReportData } from "../../src/report/report-data.js"

/** Text a user or the API could send that would run or load something if it reached the page as markup. */
export const hostile = {
  request: `region_code IN (US) </code><script>window.__pwned = 1</script><img src="x.png" onerror="window.__pwned = 2">`,
  sink: `parquet:./out"><svg onload="window.__pwned = 3">`,
  kind: `rate_limit<b>&amp;</b>'"`
}

/** Two harvests with every part of the page in use: a video query over days, a fan-out over items. */
export const reportFixture: ReportData = {
  generatedAt: "2024-03-12T12:00:00.000Z",
  source: "/data/.tikflow/history",
  dailyQuota: 1000,
  harvests: [
    {
      id: "videos-1a2b3c",
      endpoint: "videos",
      request: hostile.request,
      status: "stopped",
      records: 4321,
      requests: 1650,
      sinks: [hostile.sink, "duckdb:./research.duckdb"],
      tikflowVersion: "0.1.0",
      coverage: {
        kind: "days",
        range: { from: "2024-03-01", to: "2024-03-10" },
        days: [
          { day: "2024-03-01", provisional: false, fetchedAt: "2024-03-11T09:00:00.000Z" },
          { day: "2024-03-02", provisional: false, fetchedAt: "2024-03-11T09:00:00.000Z" },
          { day: "2024-03-03", provisional: false, fetchedAt: "2024-03-11T09:00:00.000Z" },
          { day: "2024-03-05", provisional: false, fetchedAt: "2024-03-11T09:05:00.000Z" },
          { day: "2024-03-06", provisional: false, fetchedAt: "2024-03-11T09:05:00.000Z" },
          { day: "2024-03-09", provisional: true, fetchedAt: "2024-03-11T09:10:00.000Z" },
          { day: "2024-03-10", provisional: true, fetchedAt: "2024-03-11T09:10:00.000Z" }
        ]
      },
      recordsByDay: [
        { day: "2024-03-01", count: 800 },
        { day: "2024-03-02", count: 1200 },
        { day: "2024-03-03", count: 400 },
        { day: "2024-03-05", count: 950 },
        { day: "2024-03-06", count: 700 },
        { day: "2024-03-09", count: 210 },
        { day: "2024-03-10", count: 61 }
      ],
      requestsByDay: [
        { day: "2024-03-10", count: 1000 },
        { day: "2024-03-11", count: 650 }
      ],
      errorsByKind: [
        { kind: "server_error", count: 12 },
        { kind: hostile.kind, count: 3 },
        { kind: "reset", count: 6 }
      ],
      changed: [{ sink: "parquet:/data/videos", column: "video_description", reason: "a lone UTF-16 surrogate stored as U+FFFD", count: 2 }],
      runs: [
        { startedAt: "2024-03-10T08:00:00.000Z", finishedAt: "2024-03-10T10:00:00.000Z", status: "stopped", records: 3000, requests: 1000 },
        { startedAt: "2024-03-11T09:00:00.000Z", finishedAt: "2024-03-11T09:30:00.000Z", status: "stopped", records: 1321, requests: 650 }
      ]
    },
    {
      id: "comments-9f8e7d",
      endpoint: "comments",
      request: "video ids from duckdb:./research.duckdb#videos",
      status: "running",
      records: 5000,
      requests: 90,
      sinks: ["duckdb:./research.duckdb"],
      tikflowVersion: undefined,
      coverage: { kind: "items", itemKind: "video id", covered: 40, refused: 2, total: 120 },
      recordsByDay: [{ day: "2024-03-10", count: 2000 }, { day: "2024-03-12", count: 3000 }],
      // A harvest with another client key, the same day as the videos' quota-exhausted run: 1,040 that day.
      requestsByDay: [{ day: "2024-03-10", count: 40 }, { day: "2024-03-12", count: 50 }],
      errorsByKind: [],
      changed: [],
      runs: [
        { startedAt: "2024-03-10T20:00:00.000Z", finishedAt: "2024-03-10T21:00:00.000Z", status: "stopped", records: 2000, requests: 40 },
        { startedAt: "2024-03-12T11:00:00.000Z", finishedAt: undefined, status: "running", records: 3000, requests: 50 }
      ]
    }
  ]
}
