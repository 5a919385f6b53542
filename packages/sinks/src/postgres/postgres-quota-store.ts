import type { QuotaDay, QuotaUsage } from "@tikflow/core/internal"
import { DayRecordStore, emptyDay, isDeadHere, reapHolders, usageOf } from "@tikflow/core/internal"
import { openCoordinator } from "./postgres-coordinator.js"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"
import { quoteIdent } from "./postgres-tables.js"

/** A holder not heard from for this long is taken for dead wherever it ran: its block counts as used. */
const STALE_HOLDER_MINUTES = 30

const DDL_LOCK = 7_202_611_401

interface Tables {
  readonly days: string
  readonly holders: string
}

const createTables = async (tx: PostgresStatements, tables: Tables) => {
  await tx.query(`CREATE TABLE IF NOT EXISTS ${tables.days} (client_key_hash text NOT NULL, day text NOT NULL, used bigint NOT NULL, PRIMARY KEY (client_key_hash, day))`)
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${tables.holders} (client_key_hash text NOT NULL, day text NOT NULL, holder_id text NOT NULL, pid integer NOT NULL, ` +
      "host text NOT NULL, units integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (client_key_hash, day, holder_id))"
  )
}

const tablesIn = (schema: string): Tables => ({ days: `${schema}._tikflow_quota`, holders: `${schema}._tikflow_quota_holders` })

/**
 * The quota ledger of one client key in PostgreSQL, shared by every process on every machine that
 * names the same coordinator: one row per (client key hash, UTC day) with the `used` count, and
 * one row per running holder's block. Each change locks the day's row (`SELECT … FOR UPDATE`),
 * applies the same arithmetic as the file store (core's quota-day) and writes back in one
 * transaction, so no two processes ever reserve the same unit. A holder whose process is gone
 * (same host, dead pid) or that has not touched the ledger for 30 minutes (any host) is reaped:
 * its block counts as used, which can only over-count.
 */
export class PostgresQuotaStore extends DayRecordStore {
  private constructor(
    readonly location: string,
    private readonly session: PostgresSession,
    private readonly clientKeyHash: string,
    private readonly tables: Tables
  ) {
    super()
  }

  /** Connects to `postgres://…[?schema=…]` (credentials as for the postgres sink) and creates the tables if missing. */
  static async open(uri: string, clientKeyHash: string): Promise<PostgresQuotaStore> {
    const { session, schema, location } = await openCoordinator(uri, DDL_LOCK, (tx, schema) => createTables(tx, tablesIn(schema)))
    return new PostgresQuotaStore(location, session, clientKeyHash, tablesIn(quoteIdent(schema)))
  }

  async read(day: string): Promise<QuotaUsage> {
    return usageOf(reapHolders(await this.load(this.session, day, false), isDeadHere))
  }

  close(): Promise<void> {
    return this.session.close()
  }

  private async load(tx: PostgresStatements, day: string, forUpdate: boolean): Promise<QuotaDay & { readonly stale: ReadonlySet<string> }> {
    const [row] = await tx.query<{ used: string }>(
      `SELECT used FROM ${this.tables.days} WHERE client_key_hash = $1 AND day = $2${forUpdate ? " FOR UPDATE" : ""}`,
      [this.clientKeyHash, day]
    )
    const holders = await tx.query<{ holder_id: string; pid: number; host: string; units: number; stale: boolean }>(
      `SELECT holder_id, pid, host, units, updated_at < now() - interval '${STALE_HOLDER_MINUTES} minutes' AS stale ` +
        `FROM ${this.tables.holders} WHERE client_key_hash = $1 AND day = $2`,
      [this.clientKeyHash, day]
    )
    const record = row === undefined ? emptyDay(day) : { day, used: Number(row.used), holders: {} }
    return {
      ...record,
      holders: Object.fromEntries(holders.map((h) => [h.holder_id, { pid: h.pid, host: h.host, units: h.units }])),
      stale: new Set(holders.filter((h) => h.stale).map((h) => h.holder_id))
    }
  }

  /** Locks the day's row, applies `f` to the day (dead holders reaped) and writes what changed, in one transaction. */
  protected change<A>(day: string, holderId: string | undefined, f: (record: QuotaDay) => readonly [QuotaDay, A]): Promise<A> {
    return this.session.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${this.tables.days} (client_key_hash, day, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [this.clientKeyHash, day])
      const stored = await this.load(tx, day, true)
      const [next, result] = f(reapHolders(stored, (h) => isDeadHere(h) || stale(stored, h)))
      await tx.query(`UPDATE ${this.tables.days} SET used = $3 WHERE client_key_hash = $1 AND day = $2`, [this.clientKeyHash, day, next.used])
      const gone = Object.keys(stored.holders).filter((id) => next.holders[id] === undefined)
      if (gone.length > 0) {
        await tx.query(`DELETE FROM ${this.tables.holders} WHERE client_key_hash = $1 AND day = $2 AND holder_id = ANY($3)`, [this.clientKeyHash, day, gone])
      }
      for (const [id, h] of Object.entries(next.holders)) {
        if (stored.holders[id]?.units === h.units && id !== holderId) continue
        await tx.query(
          `INSERT INTO ${this.tables.holders} (client_key_hash, day, holder_id, pid, host, units) VALUES ($1, $2, $3, $4, $5, $6) ` +
            "ON CONFLICT (client_key_hash, day, holder_id) DO UPDATE SET units = EXCLUDED.units, updated_at = now()",
          [this.clientKeyHash, day, id, h.pid, h.host, h.units]
        )
      }
      return result
    })
  }
}

// reapHolders passes the holder entry, not its id: find the id by identity.
const stale = (record: QuotaDay & { readonly stale: ReadonlySet<string> }, holder: { readonly pid: number; readonly host: string }): boolean => {
  for (const [id, h] of Object.entries(record.holders)) if (h === holder) return record.stale.has(id)
  return false
}
