// The postgres sink alone, as the CLI drives it: `records` synthetic videos (built before the clock
// starts) written through `postgres://…` in pages of 100 records (the API's page; the sink gathers
// them into large COPYs), the checkpoint committed with the data every 50,000 records — vs the
// floor: PostgreSQL's own `COPY … FROM '<file>'` of the same rows into the same table, from a file
// PostgreSQL itself wrote (`COPY … TO`, untimed). params.uri: the server bench/run.mjs started;
// params.socket: its unix socket directory (superuser, for the file COPY).
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { dependencyOf, load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"
import { writeInEpochs } from "../lib/sink-epochs.mjs"
import { videoBatches, videoStreamContext } from "../lib/synthetic.mjs"

const params = paramsOf()
const sinks = await load("sinks")
const { default: pg } = await dependencyOf("sinks", "pg")
const PAGE = params.page ?? 100
const context = videoStreamContext("bench-postgres")
const writeAll = async (uri, batches) => writeInEpochs(await sinks.resolveSink(uri).open(context), context.harvestId, batches)

const admin = new pg.Client({ host: params.socket, port: params.port, user: "postgres", database: params.database })
await admin.connect()
const schema = `bench_${process.pid}`
try {
  const batches = [...videoBatches(0, params.records, PAGE)].map((records) => ({ records }))
  if (params.mode === "floor") {
    // The same rows through the sink first (untimed), out to a file by PostgreSQL, then timed back
    // into an empty table of the same shape.
    await writeAll(`${params.uri}?schema=${schema}_src`, batches)
    batches.length = 0
    const file = join(params.socket, `${schema}.copy`)
    await admin.query(`COPY ${schema}_src.videos TO '${file}'`)
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.query(`CREATE TABLE ${schema}.videos (LIKE ${schema}_src.videos INCLUDING ALL)`)
    emit(await measure(async () => {
      const { rowCount } = await admin.query(`COPY ${schema}.videos FROM '${file}'`)
      return { records: rowCount }
    }))
    await admin.query(`DROP SCHEMA ${schema}_src CASCADE`)
  } else {
    // Building 200,000 records leaves them young: without a full collection first, the timed
    // run's collections would pay for promoting the input, which the floor never pays.
    setFlagsFromString("--expose-gc")
    runInNewContext("gc")()
    emit(await measure(async () => {
      await writeAll(`${params.uri}?schema=${schema}`, batches)
      return { records: params.records }
    }))
  }
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
}
