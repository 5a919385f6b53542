import type { HarvestRecord, HistoryStore } from "@tikflow/core/internal"
import { parseHarvestRecord } from "@tikflow/core/internal"
import { openCoordinator } from "./postgres-coordinator.js"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"
import { quoteIdent } from "./postgres-tables.js"

// Any constant, other than the sink's, the quota ledger's and the work queue's.
const DDL_LOCK = 7_202_611_403

const createTable = async (tx: PostgresStatements, table: string): Promise<void> => {
  await tx.query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, record text NOT NULL, created_at text NOT NULL, updated_at text NOT NULL)`)
}

/**
 * The harvest history (core's `HistoryStore`) in the coordinator database: one row per harvest in
 * `_tikflow_history`, the record as JSON text. An update holds a per-harvest advisory lock for its
 * transaction, so updates of one harvest from any process on any machine apply one after another;
 * reads need no lock. A record that does not parse fails naming the harvest, never reads as
 * "never harvested".
 */
export class PostgresHistoryStore implements HistoryStore {
  private constructor(readonly location: string, private readonly session: PostgresSession, private readonly table: string) {}

  static async open(uri: string): Promise<PostgresHistoryStore> {
    const { session, schema, location } = await openCoordinator(uri, DDL_LOCK, (tx, quoted) => createTable(tx, `${quoted}._tikflow_history`))
    return new PostgresHistoryStore(location, session, `${quoteIdent(schema)}._tikflow_history`)
  }

  async read(id: string): Promise<HarvestRecord | undefined> {
    const [row] = await this.session.query<{ record: string }>(`SELECT record FROM ${this.table} WHERE id = $1`, [id])
    return row === undefined ? undefined : this.parse(id, row.record)
  }

  update(id: string, f: (record: HarvestRecord | undefined) => HarvestRecord): Promise<HarvestRecord> {
    return this.session.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`tikflow history ${id}`])
      const [row] = await tx.query<{ record: string }>(`SELECT record FROM ${this.table} WHERE id = $1`, [id])
      const next = f(row === undefined ? undefined : this.parse(id, row.record))
      await tx.query(
        `INSERT INTO ${this.table} (id, record, created_at, updated_at) VALUES ($1, $2, $3, $4) ` +
          "ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at",
        [id, JSON.stringify(next), next.createdAt, next.updatedAt]
      )
      return next
    })
  }

  async list(): Promise<ReadonlyArray<HarvestRecord>> {
    const rows = await this.session.query<{ id: string; record: string }>(`SELECT id, record FROM ${this.table} ORDER BY created_at, id`)
    return rows.map((row) => this.parse(row.id, row.record))
  }

  close(): Promise<void> {
    return this.session.close()
  }

  private parse(id: string, text: string): HarvestRecord {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      value = `not valid JSON (${(error as Error).message})`
    }
    const record = typeof value === "string" ? value : parseHarvestRecord(value)
    if (typeof record === "string") throw new Error(`harvest history ${this.location} ${id}: ${record}; fix or delete the row`)
    return record
  }
}
