import type { RecordKind, Video } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { postgresSink, resolveSink, uriSecrets } from "../src/internal.js"
import { runDayReplacementContract } from "../src/testing/index.js"
import { checkpoint, chunk, streamContext, tempDir } from "./support/context.js"
import { asStored, readTable, sql } from "./support/postgres-reader.js"
import { sampleVideo, uniqueRecords, videoArb } from "./support/records.js"
import { crashTwoStreams, resumeTwoStreams } from "./support/two-stream-epochs.js"

const server = usePostgres()

let schemas = 0
const freshSchema = () => `s${++schemas}`

const keyText = (kind: RecordKind, record: Record<string, unknown>) => recordKinds[kind].primaryKey.map((k) => String(record[k])).join("\u0001")
const byKey = (kind: RecordKind, rows: ReadonlyArray<Record<string, unknown>>) => new Map(rows.map((r) => [keyText(kind, r), r]))

describe("postgres sink", () => {
  it("a provisional day fetched again replaces its earlier rows in the epoch that brings the new ones, across crashes (sink contract 3)", async () => {
    let schema = ""
    await runDayReplacementContract(postgresSink, {
      uri: () => server.uri({ query: `schema=${(schema = freshSchema())}` }),
      read: () => sql(server.uri(), `SELECT id, like_count FROM ${schema}.videos`),
      numRuns: 15
    })
  }, 120_000)

  for (const kind of ["video", "user_video", "comment", "user_info"] as const) {
    test.prop([uniqueRecords(kind, recordKinds[kind].keyOf as never, 40), fc.integer({ min: 1, max: 15 })], { numRuns: 8 })(
      `${kind} records read back exactly: NUL characters, ids near 2^64, empty lists, counts above 2^32`,
      async (records, batchSize) => {
        const schema = freshSchema()
        const writer = await resolveSink(server.uri({ query: `schema=${schema}` })).open(streamContext(kind, { stream: "items" }))
        let epoch = 0
        for (const batch of chunk(records as Array<Record<string, unknown>>, batchSize)) {
          await writer.write({ records: batch as never, epoch: ++epoch })
          await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
        }
        await writer.close()
        const back = await readTable(server.uri(), `${schema}.items`, kind)
        expect(byKey(kind, back)).toEqual(byKey(kind, (records as Array<Record<string, unknown>>).map((r) => asStored(kind, r))))
      }
    )
  }

  // Epochs of batches drawn from a few keys, so keys repeat within a batch, across batches of an
  // epoch and across epochs; the last epoch is sometimes left unflushed (a crash before commit).
  const epochsArb = fc.array(
    fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), videoArb), { maxLength: 12 }), { maxLength: 4 }),
    { minLength: 1, maxLength: 5 }
  )
  test.prop([epochsArb, fc.boolean()], { numRuns: 15 })(
    "the table holds the last flushed version of every key, nothing of an unflushed epoch",
    async (epochs, crashBeforeLast) => {
      const schema = freshSchema()
      const writer = await resolveSink(server.uri({ query: `schema=${schema}` })).open(streamContext("video", { stream: "videos" }))
      const want = new Map<string, Record<string, unknown>>()
      let version = 0
      for (const [e, batches] of epochs.entries()) {
        const epoch = e + 1
        const committed = !(crashBeforeLast && e === epochs.length - 1)
        for (const batch of batches) {
          const records = batch.map(([key, v]): Video => ({ ...v, id: sampleVideo(key).id, like_count: ++version }))
          await writer.write({ records, epoch })
          if (committed) for (const r of records) want.set(r.id, asStored("video", r as never))
        }
        if (committed) await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      }
      await writer.close()
      expect(byKey("video", await readTable(server.uri(), `${schema}.videos`, "video"))).toEqual(want)
    }
  )

  test("data and checkpoint commit together: an unflushed epoch leaves neither, resume completes it", async () => {
    const uri = server.uri({ query: "schema=together&table_prefix=t_" })
    const records = await crashTwoStreams(uri)
    const counts = () => sql(server.uri(), "select (select count(*) from together.t_videos)::int v, (select count(*) from together.t_comments)::int c, (select count(*) from together._tikflow_checkpoints)::int k")
    expect(await counts()).toEqual([{ v: 40, c: 20, k: 2 }])

    await resumeTwoStreams(uri, records)
    expect(await counts()).toEqual([{ v: 60, c: 60, k: 2 }])
  })

  test("a batch with a value the column refuses stages none of its rows", async () => {
    const writer = await resolveSink(server.uri({ query: "schema=partial" })).open(streamContext("video", { stream: "videos" }))
    const good = Array.from({ length: 300 }, (_, i) => sampleVideo(i))
    await expect(writer.write({ records: good.map((r, i) => (i === 250 ? { ...r, like_count: 1.5 } : r)), epoch: 1 })).rejects.toThrow(
      /write failed: like_count: expected an integer in ±\(2\^53 - 1\), got 1\.5 \(video \d+\)$/
    )
    await writer.write({ records: good.slice(0, 5), epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    expect(await sql(server.uri(), "select count(*)::int n from partial.videos")).toEqual([{ n: 5 }])
  })

  test("a value not of its column's type is refused at write, naming column and record; committed rows stay, a null list element is stored NULL", async () => {
    const writer = await resolveSink(server.uri({ query: "schema=typed" })).open(streamContext("video", { stream: "videos" }))
    await writer.write({ records: [{ ...sampleVideo(1), video_duration: -0, hashtag_names: ["a", null] as never }], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    // Before: "false" was stored as true, "abc" in a list as {a,b,c}, and a float's "1\n2" split the row.
    for (const [field, value, expected] of [
      ["is_stem_verified", "false", "expected a boolean, got \"false\""],
      ["hashtag_names", "abc", "expected a list of strings, got \"abc\""],
      ["video_duration", "1\n2", "expected a number, got \"1\\n2\""],
      ["username", 42, "expected a string, got 42"]
    ] as const) {
      await expect(writer.write({ records: [sampleVideo(2), { ...sampleVideo(3), [field]: value }], epoch: 2 })).rejects.toThrow(
        `write failed: ${field}: ${expected} (video ${sampleVideo(3).id})`
      )
    }
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.close()
    expect(await sql(server.uri(), "select video_duration::text d, hashtag_names from typed.videos")).toEqual([{ d: "-0", hashtag_names: ["a", null] }])
  })

  test("a load the server refuses fails the epoch: the flush throws it and none of the epoch's pages commit", async () => {
    const writer = await resolveSink(server.uri({ query: "schema=refused" })).open(streamContext("video", { stream: "videos" }))
    await writer.write({ records: [sampleVideo(1)], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    // A null key passes the encoder; the server's NOT NULL refuses it when the epoch's rows load.
    await writer.write({ records: [sampleVideo(2)], epoch: 2 })
    await writer.write({ records: [{ ...sampleVideo(3), id: null } as never, sampleVideo(4)], epoch: 2 })
    await expect(writer.flush({ epoch: 2, checkpoint: checkpoint(2) })).rejects.toThrow(/flush failed: .*null value in column "id"/)
    // The writer goes on with the next epoch.
    await writer.write({ records: [sampleVideo(5)], epoch: 3 })
    await writer.flush({ epoch: 3, checkpoint: checkpoint(3) })
    await writer.close()
    expect(await sql(server.uri(), "select count(*)::int n from refused.videos")).toEqual([{ n: 2 }])
    expect(await sql(server.uri(), "select epoch::int from refused._tikflow_checkpoints")).toEqual([{ epoch: 3 }])
  })

  test("pages of 100 over several loads: direct loads, then staged ones once keys repeat, last version wins", async () => {
    const writer = await resolveSink(server.uri({ query: "schema=loads" })).open(streamContext("video", { stream: "videos" }))
    // 60,000 rows (several 4 MB loads, one in flight while the next fills) over 30,000 keys: the
    // second half repeats the first, so the epoch's later loads go to staging and merge.
    for (let from = 0; from < 60_000; from += 100) {
      const records = Array.from({ length: 100 }, (_, i) => ({ ...sampleVideo((from + i) % 30_000), like_count: from + i }))
      await writer.write({ records, epoch: 1 })
    }
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    const rows = await sql<{ n: number; wrong: number }>(
      server.uri(),
      "select count(*)::int n, count(*) filter (where like_count < 30000)::int wrong from loads.videos"
    )
    expect(rows).toEqual([{ n: 30_000, wrong: 0 }])
  })

  test("NUL characters are stored escaped and flagged, lone surrogates as U+FFFD: each write says what it changed, per column", async () => {
    const context = streamContext("video", { stream: "videos" })
    const writer = await resolveSink(server.uri({ query: "schema=nul" })).open(context)
    const records = [
      { ...sampleVideo(1), video_description: "a\u0000b\\0\ud800", hashtag_names: ["x\u0000", "\udc00", "y\u0000"] },
      sampleVideo(2),
      { ...sampleVideo(3), username: "é\ud83d", hashtag_names: ["ok"] }
    ]
    const changes = [
      { column: "username", reason: "lone-surrogate", count: 1 },
      { column: "video_description", reason: "nul-escaped", count: 1 },
      { column: "video_description", reason: "lone-surrogate", count: 1 },
      { column: "hashtag_names", reason: "nul-escaped", count: 2 },
      { column: "hashtag_names", reason: "lone-surrogate", count: 1 }
    ]
    expect(await writer.write({ records, epoch: 1 })).toEqual(expect.arrayContaining(changes))
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    // Re-delivered: the batch is encoded twice (the direct COPY meets existing keys), said once.
    const again = await writer.write({ records, epoch: 2 })
    expect(again).toHaveLength(changes.length)
    expect(again).toEqual(expect.arrayContaining(changes))
    expect(await writer.write({ records: [sampleVideo(4)], epoch: 2 })).toBeUndefined()
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.close()
    expect(await sql(server.uri(), "select username, video_description, hashtag_names, _tikflow_nul_fields from nul.videos order by id")).toEqual([
      { username: sampleVideo(1).username, video_description: "a\\0b\\\\0\ufffd", hashtag_names: ["x\\0", "\ufffd", "y\\0"], _tikflow_nul_fields: ["video_description", "hashtag_names"] },
      { username: sampleVideo(2).username, video_description: sampleVideo(2).video_description, hashtag_names: sampleVideo(2).hashtag_names, _tikflow_nul_fields: null },
      { username: "é\ufffd", video_description: sampleVideo(3).video_description, hashtag_names: ["ok"], _tikflow_nul_fields: null },
      { username: sampleVideo(4).username, video_description: sampleVideo(4).video_description, hashtag_names: sampleVideo(4).hashtag_names, _tikflow_nul_fields: null }
    ])
    // The run's summary and exit code say it now, not a warning per page.
    expect(context.logger.lines.filter((line) => line.startsWith("warn"))).toEqual([])
  })

  test("last version wins within one batch of several COPY chunks, and against rows of earlier epochs", async () => {
    const writer = await resolveSink(server.uri({ query: "schema=chunks" })).open(streamContext("video", { stream: "videos" }))
    // 1,500 new rows go straight in; then 5,000 rows over 1,000 keys (each key five times, over
    // five 1,000-row chunks) meet both those rows and themselves, and take the staged path.
    await writer.write({ records: Array.from({ length: 1500 }, (_, i) => ({ ...sampleVideo(i), like_count: -1 })), epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.write({ records: Array.from({ length: 5000 }, (_, i) => ({ ...sampleVideo(i % 1000), like_count: i })), epoch: 2 })
    await writer.write({ records: [{ ...sampleVideo(2000), like_count: 7 }], epoch: 2 })
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.close()
    const rows = await sql<{ id: string; like_count: string }>(server.uri(), "select id, like_count from chunks.videos")
    expect(rows.length).toBe(1501)
    const likes = new Map(rows.map((r) => [r.id, Number(r.like_count)]))
    for (let k = 0; k < 1500; k++) expect(likes.get(sampleVideo(k).id)).toBe(k < 1000 ? 4000 + k : -1)
    expect(likes.get(sampleVideo(2000).id)).toBe(7)
  })

  test("fields a transform adds are stored as JSON text columns, added to an existing table; undeclared ones fail", async () => {
    const uri = server.uri({ query: "schema=added" })
    const write = async (records: ReadonlyArray<unknown>, addedFields?: ReadonlyArray<string>) => {
      const writer = await resolveSink(uri).open(streamContext("video", { stream: "videos", addedFields }))
      try {
        await writer.write({ records: records as ReadonlyArray<Video>, epoch: 1 })
        await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
      } finally {
        await writer.close()
      }
    }
    await write([sampleVideo(1)])
    const author = { username: "a\u0000b", follower_count: 0 }
    await write([{ ...sampleVideo(2), author }, { ...sampleVideo(3), author: null }], ["author"])
    expect(await sql(uri.split("?")[0]!, "select id, author from added.videos order by id")).toEqual([
      { id: sampleVideo(1).id, author: null },
      { id: sampleVideo(2).id, author: JSON.stringify(author) },
      { id: sampleVideo(3).id, author: null }
    ])
    await expect(write([{ ...sampleVideo(4), mood: "x" }])).rejects.toThrow(/^postgres:\/\/127\.0\.0\.1:\d+\/tikflow: write failed: mood: records carry a field no column holds/)
  })

  test("credentials come from PG* variables or a service file when the URI leaves them out", async () => {
    const file = join(await tempDir(), "pg_service.conf")
    await writeFile(file, `# a service file\n[lab]\nhost=127.0.0.1\nport=${server.port}\nuser=${server.user}\npassword=${server.password}\ndbname=${server.database}\n`)
    const saved = { ...process.env }
    try {
      process.env.PGSERVICEFILE = file
      for (const uri of ["postgres://?service=lab&schema=svc", "postgresql:///tikflow?service=lab&schema=svc"]) {
        const writer = await resolveSink(uri).open(streamContext("video"))
        await writer.write({ records: [sampleVideo(1)], epoch: 1 })
        await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
        await writer.close()
      }
      delete process.env.PGSERVICEFILE
      Object.assign(process.env, server.env())
      const writer = await resolveSink("postgres://?schema=svc").open(streamContext("video"))
      await writer.write({ records: [sampleVideo(2)], epoch: 2 })
      await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
      await writer.close()
    } finally {
      process.env = saved
    }
    expect(await sql(server.uri(), "select count(*)::int n from svc.videos")).toEqual([{ n: 2 }])
  })
})

describe("postgres sink: bad input and a server that goes away", () => {
  const secret = () => server.password

  test("a wrong password fails to open in one line that never shows a password", async () => {
    const uri = server.uri().replace(`:${secret()}@`, ":not-the-Secret-9@")
    const error = await resolveSink(uri).open(streamContext("video")).then(() => undefined, (e: Error) => e)
    expect(error?.message).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/tikflow: open failed: connecting: password authentication failed for user "tikflow" \(check the password/)
    expect(error?.message).not.toMatch(/not-the-Secret-9|\n/)
  })

  /** Everything an error holds, its cause chain included (what a stack dump or a debugger would show). */
  const everything = (error: unknown) => inspect(error, { depth: 10, showHidden: true })

  test.each([
    ["the URI", (query: string) => ({ uri: server.uri({ query }), env: {} })],
    ["PGPASSWORD", (query: string) => ({ uri: server.uri({ query, withPassword: false }), env: { PGPASSWORD: secret() } })],
    ["PG* variables alone", (query: string) => ({ uri: `postgres://?${query}`, env: server.env() })]
  ])("with the password in %s, a failed open or flush names the server once and holds the password nowhere, cause included", async (_, given) => {
    const saved = { ...process.env }
    const failures: Array<Error> = []
    try {
      const missing = given("schema=pw")
      Object.assign(process.env, missing.env, { PGDATABASE: "nodb" })
      const uri = missing.uri.includes("@") ? missing.uri.replace(/\/tikflow\?/, "/nodb?") : missing.uri
      failures.push(await resolveSink(uri).open(streamContext("video")).then(() => { throw new Error("opened") }, (e: Error) => e))
      process.env = { ...saved }
      const dropped = given("schema=pwdrop")
      Object.assign(process.env, dropped.env)
      const writer = await resolveSink(dropped.uri).open(streamContext("video"))
      await writer.write({ records: [sampleVideo(1)], epoch: 1 })
      server.psql("DROP SCHEMA pwdrop CASCADE", server.database)
      failures.push(await writer.flush({ epoch: 1, checkpoint: checkpoint(1) }).then(() => { throw new Error("flushed") }, (e: Error) => e))
      await writer.close()
    } finally {
      process.env = saved
    }
    expect(failures[0]!.message).toMatch(/database "nodb" does not exist/)
    expect(failures[1]!.message).toMatch(/flush failed: .*pwdrop/)
    for (const failure of failures) {
      expect(failure.message.match(/127\.0\.0\.1:\d+\//g), failure.message).toHaveLength(1)
      expect(failure.message).not.toMatch(/\n/)
      expect(everything(failure)).not.toContain(secret())
    }
  })

  test.each([
    ["the URI", (query: string) => ({ uri: server.uri({ query }), env: {} })],
    ["PG* variables alone", (query: string) => ({ uri: `postgres://?${query}`, env: server.env() })],
    ["a service file", (query: string) => ({ uri: `postgres://?service=lab&${query}`, env: {} })]
  ])("with the server given by %s, a checkpoint that fails to load names the server once, with the schema, and holds the password nowhere", async (_, given) => {
    const saved = { ...process.env }
    const file = join(await tempDir(), "pg_service.conf")
    await writeFile(file, `[lab]\nhost=127.0.0.1\nport=${server.port}\nuser=${server.user}\npassword=${secret()}\ndbname=${server.database}\n`)
    const loads: Array<string> = []
    try {
      const { uri, env } = given("schema=pwload")
      Object.assign(process.env, env, { PGSERVICEFILE: file })
      const writer = await resolveSink(uri).open(streamContext("video"))
      const store = writer.checkpoints!
      await writer.write({ records: [sampleVideo(1)], epoch: 1 })
      await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
      // The runner's words for a store's failure (core's checkpoint-stores.ts): its name, then the error.
      const load = () => store.load("harvest-1").then(() => { throw new Error("loaded") }, (e: Error) => {
        expect(everything(e)).not.toContain(secret())
        return `${store.name}: loading the checkpoint failed: ${e.message}`
      })
      // A state that is not JSON (edited by hand), then a checkpoint table that is gone.
      server.psql("UPDATE pwload._tikflow_checkpoints SET state = '{not json'", server.database)
      loads.push(await load())
      server.psql("DROP SCHEMA pwload CASCADE", server.database)
      loads.push(await load())
      await writer.close()
    } finally {
      process.env = saved
    }
    expect(loads[0]).toMatch(/the state of harvest-1's checkpoint is not JSON: /)
    expect(loads[1]).toMatch(/pwload\._tikflow_checkpoints" does not exist/)
    for (const message of loads) {
      expect(message.match(/127\.0\.0\.1:\d+\//g), message).toHaveLength(1)
      expect(message).toMatch(/schema=pwload|schema pwload/)
      expect(message).not.toMatch(/\n/)
    }
  })

  test("a missing database fails to open in one line naming it", async () => {
    const error = await resolveSink(server.uri({ db: "nope" })).open(streamContext("video")).then(() => undefined, (e: Error) => e)
    expect(error?.message).toMatch(/database "nope" does not exist \(create it, or name another database in the URI\)$/)
    expect(error?.message).not.toContain(secret())
  })

  test("bad options name the option; a malformed URI is refused without echoing it", () => {
    expect(() => resolveSink(server.uri({ query: "schema=a-b" }))).toThrow(/schema: expected letters/)
    expect(() => resolveSink(server.uri({ query: "table_prefix=a b" }))).toThrow(/table_prefix: expected letters/)
    expect(() => resolveSink(server.uri({ query: "sslmode=maybe" }))).toThrow(/sslmode: expected one of disable, require, verify-full/)
    expect(() => resolveSink(server.uri({ query: "pasword=x" }))).toThrow(/pasword: expected one of the options/)
    expect(() => resolveSink("postgres:tikflow")).toThrow(/location: expected postgres:\/\/user@host:port\/database/)
    let message = ""
    try {
      resolveSink("postgres://u:%E0%A4%A@h/db")
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/location: expected a percent-encoded password/)
    expect(message).not.toContain("%E0%A4%A")
    expect(resolveSink(server.uri()).name).toBe(`postgres://127.0.0.1:${server.port}/tikflow`)
    // What the CLI hands its output redactor.
    expect(uriSecrets("postgres://u:p%40ss@h/db")).toEqual(["p%40ss", "p@ss"])
    expect(uriSecrets("postgresql://u:plain@h:1/db?schema=x")).toEqual(["plain"])
    expect(uriSecrets("postgres://u@h/db")).toEqual([])
    expect(uriSecrets("duckdb:./x.duckdb")).toEqual([])
  })

  test("a server that goes away mid-run fails the write or flush in one line; a re-run loses nothing", async () => {
    const uri = server.uri({ query: "schema=gone" })
    const videos = Array.from({ length: 90 }, (_, i) => sampleVideo(i))
    const writer = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    await writer.write({ records: videos.slice(0, 30), epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.write({ records: videos.slice(30, 60), epoch: 2 })
    server.stop()
    try {
      const failed = await writer.flush({ epoch: 2, checkpoint: checkpoint(2) }).then(() => undefined, (e: Error) => e)
      // The server is named once, by the sink's name (it was named again by the session).
      expect(failed?.message).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/tikflow: flush failed: \S/)
      expect(failed?.message.match(/127\.0\.0\.1/g)).toHaveLength(1)
      expect(failed?.message).not.toMatch(/\n/)
      expect(failed?.message).not.toContain(secret())
      await writer.close()
      const refused = await resolveSink(uri).open(streamContext("video")).then(() => undefined, (e: Error) => e)
      expect(refused?.message).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/tikflow: open failed: connecting: .*ECONNREFUSED/)
      expect(refused?.message.match(/127\.0\.0\.1:\d+\//g)).toHaveLength(1)
    } finally {
      server.start()
    }
    // The re-run resumes from the checkpoint the database holds and delivers the rest.
    const again = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    const resumed = await again.checkpoints!.load("harvest-1")
    expect(resumed?.epoch).toBe(1)
    await again.write({ records: videos.slice(30), epoch: 2 })
    await again.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await again.close()
    expect(await sql(server.uri(), "select count(*)::int n, count(distinct id)::int d from gone.videos")).toEqual([{ n: 90, d: 90 }])
  })
})
