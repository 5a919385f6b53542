import type { Checkpoint } from "@tikflow/core/internal"
import { isProcessAlive } from "@tikflow/core/internal"
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { openCoordinator } from "./postgres-coordinator.js"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"
import { quoteIdent } from "./postgres-tables.js"

// Any constant, other than the sink's and the quota ledger's: taken while creating the queue tables.
const DDL_LOCK = 7_202_611_402

/** A worker not heard from for this long (it renews every third of it) loses its item to the next claim. */
export const DEFAULT_LEASE_SECONDS = 60

interface Tables {
  readonly queues: string
  readonly items: string
  readonly values: string
}

const tablesIn = (schema: string): Tables => ({
  queues: `${schema}._tikflow_work_queues`,
  items: `${schema}._tikflow_work_items`,
  values: `${schema}._tikflow_work_values`
})

const createTables = async (tx: PostgresStatements, tables: Tables) => {
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${tables.queues} (queue_id text PRIMARY KEY, label text NOT NULL, items integer NOT NULL, ` +
      "created_at timestamptz NOT NULL DEFAULT now(), harvest_id text)"
  )
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${tables.items} (queue_id text NOT NULL, item integer NOT NULL, payload text NOT NULL, ` +
      "status text NOT NULL DEFAULT 'pending', owner text, owner_pid integer, owner_host text, lease_until timestamptz, " +
      "attempts integer NOT NULL DEFAULT 0, checkpoint text, records bigint NOT NULL DEFAULT 0, done_by text, finished_at timestamptz, " +
      "PRIMARY KEY (queue_id, item))"
  )
  await tx.query(`CREATE TABLE IF NOT EXISTS ${tables.values} (queue_id text NOT NULL, field text NOT NULL, value text NOT NULL, PRIMARY KEY (queue_id, field, value))`)
}

/** An item this worker holds the lease of: what to harvest, and where an earlier holder got to. */
export interface ClaimedItem {
  readonly item: number
  readonly payload: unknown
  /** The last checkpoint any worker saved for this item; undefined when none started it. */
  readonly checkpoint: Checkpoint | undefined
  /** How many times the item was claimed, this claim included: above 1 means an earlier worker left it unfinished. */
  readonly attempts: number
}

export interface WorkQueueProgress {
  readonly items: number
  readonly done: number
  /** Unfinished items another live worker holds the lease of. */
  readonly leased: number
  /** Milliseconds until the first of those leases runs out (undefined when none is held). */
  readonly nextLeaseEndsInMs: number | undefined
  /** Records the finished items delivered, as their workers reported them. */
  readonly records: number
}

/** Raised when this worker no longer holds an item's lease (it went quiet too long and another took the item). */
export class LeaseLostError extends Error {
  readonly _tag = "LeaseLostError"
  constructor(readonly item: number) {
    super(`work item ${item}: the lease was lost to another worker`)
  }
}

/**
 * A harvest's work queue in the coordinator database: one row per item (a date window or a chunk
 * of a fan-out's ids) in `_tikflow_work_items`, one row per queue in `_tikflow_work_queues`. A
 * worker claims the first unfinished item nobody holds (`FOR UPDATE SKIP LOCKED`, so concurrent
 * claims never wait on each other nor take the same row) under a lease it renews while working;
 * the item's checkpoint lives on its row, written only by the lease holder, so whoever claims it
 * next resumes from there. A lease runs out when its worker stops renewing (any host) or at once
 * when its process is dead on this host.
 */
export class PostgresWorkQueue {
  /** This process as a lease owner: unique per open queue, with the pid and host that let others reap it. */
  readonly owner: string
  private readonly pid = process.pid
  private readonly host = hostname()

  private constructor(
    readonly location: string,
    private readonly session: PostgresSession,
    private readonly tables: Tables,
    readonly leaseSeconds: number
  ) {
    this.owner = `${this.host}:${this.pid}:${randomBytes(4).toString("hex")}`
  }

  /** Connects to `postgres://…[?schema=…]` and creates the queue tables if missing. */
  static async open(uri: string, options: { readonly leaseSeconds?: number } = {}): Promise<PostgresWorkQueue> {
    const { session, schema, location } = await openCoordinator(uri, DDL_LOCK, (tx, quoted) => createTables(tx, tablesIn(quoted)))
    return new PostgresWorkQueue(location, session, tablesIn(quoteIdent(schema)), options.leaseSeconds ?? DEFAULT_LEASE_SECONDS)
  }

  /**
   * Creates the queue with its items unless it exists (the first worker of a harvest creates it;
   * the others find it): `created` or `joined`. `fresh` deletes an existing one first so every
   * item starts over — unless a live worker holds a lease on it (`busy`: joined as it is), so a
   * team starting the same command with `--fresh` does not restart each other's work.
   */
  ensure(queueId: string, label: string, payloads: ReadonlyArray<unknown>, fresh = false, harvestId?: string): Promise<"created" | "joined" | "busy"> {
    return this.session.transaction(async (tx) => {
      // Per queue, so workers arriving together create it once; released at commit.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [queueId])
      let busy = false
      if (fresh) {
        const [held] = await tx.query(
          `SELECT 1 AS held FROM ${this.tables.items} WHERE queue_id = $1 AND status = 'pending' AND owner IS NOT NULL AND lease_until >= now() LIMIT 1`,
          [queueId]
        )
        busy = held !== undefined
        if (!busy) {
          await tx.query(`DELETE FROM ${this.tables.items} WHERE queue_id = $1`, [queueId])
        await tx.query(`DELETE FROM ${this.tables.values} WHERE queue_id = $1`, [queueId])
          await tx.query(`DELETE FROM ${this.tables.queues} WHERE queue_id = $1`, [queueId])
        }
      }
      const [existing] = await tx.query(`SELECT items FROM ${this.tables.queues} WHERE queue_id = $1`, [queueId])
      if (existing !== undefined) return busy ? "busy" : "joined"
      await tx.query(`INSERT INTO ${this.tables.queues} (queue_id, label, items, harvest_id) VALUES ($1, $2, $3, $4)`, [queueId, label, payloads.length, harvestId ?? null])
      await tx.query(
        `INSERT INTO ${this.tables.items} (queue_id, item, payload) SELECT $1, n - 1, p FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n)`,
        [queueId, payloads.map((p) => JSON.stringify(p))]
      )
      return "created"
    })
  }

  /**
   * Takes the lease of the first unfinished item nobody holds — free, its lease run out, or held
   * by a dead process of this host — or returns undefined when there is none right now.
   */
  async claim(queueId: string): Promise<ClaimedItem | undefined> {
    const dead = await this.deadOwnersHere(queueId)
    const [row] = await this.session.query<{ item: number; payload: string; checkpoint: string | null; attempts: number }>(
      `WITH next AS (SELECT item FROM ${this.tables.items} WHERE queue_id = $1 AND status = 'pending' ` +
        "AND (owner IS NULL OR lease_until < now() OR owner = ANY($2::text[])) ORDER BY item LIMIT 1 FOR UPDATE SKIP LOCKED) " +
        `UPDATE ${this.tables.items} AS i SET owner = $3, owner_pid = $4, owner_host = $5, ` +
        "lease_until = now() + make_interval(secs => $6), attempts = i.attempts + 1 " +
        "FROM next WHERE i.queue_id = $1 AND i.item = next.item RETURNING i.item, i.payload, i.checkpoint, i.attempts",
      [queueId, dead, this.owner, this.pid, this.host, this.leaseSeconds]
    )
    if (row === undefined) return undefined
    return {
      item: row.item,
      payload: JSON.parse(row.payload) as unknown,
      checkpoint: row.checkpoint === null ? undefined : JSON.parse(row.checkpoint) as Checkpoint,
      attempts: row.attempts
    }
  }

  /** Extends the lease; false when this worker no longer holds it. */
  async renew(queueId: string, item: number): Promise<boolean> {
    const rows = await this.session.query(
      `UPDATE ${this.tables.items} SET lease_until = now() + make_interval(secs => $4) ` +
        "WHERE queue_id = $1 AND item = $2 AND owner = $3 AND status = 'pending' RETURNING item",
      [queueId, item, this.owner, this.leaseSeconds]
    )
    return rows.length > 0
  }

  /** The item's last saved checkpoint (any worker's). */
  async loadCheckpoint(queueId: string, item: number): Promise<Checkpoint | undefined> {
    const [row] = await this.session.query<{ checkpoint: string | null }>(
      `SELECT checkpoint FROM ${this.tables.items} WHERE queue_id = $1 AND item = $2`,
      [queueId, item]
    )
    return row?.checkpoint == null ? undefined : JSON.parse(row.checkpoint) as Checkpoint
  }

  /** Saves the item's checkpoint, only while this worker holds its lease (else `LeaseLostError`). */
  async saveCheckpoint(queueId: string, item: number, checkpoint: Checkpoint): Promise<void> {
    const rows = await this.session.query(
      `UPDATE ${this.tables.items} SET checkpoint = $4 WHERE queue_id = $1 AND item = $2 AND owner = $3 AND status = 'pending' RETURNING item`,
      [queueId, item, this.owner, JSON.stringify(checkpoint)]
    )
    if (rows.length === 0) throw new LeaseLostError(item)
  }

  /** Marks the item finished with the records this worker delivered for it (else `LeaseLostError`). */
  async complete(queueId: string, item: number, records: number): Promise<void> {
    const rows = await this.session.query(
      `UPDATE ${this.tables.items} SET status = 'done', records = records + $4, done_by = owner, finished_at = now(), ` +
        "owner = NULL, owner_pid = NULL, owner_host = NULL, lease_until = NULL " +
        "WHERE queue_id = $1 AND item = $2 AND owner = $3 AND status = 'pending' RETURNING item",
      [queueId, item, this.owner, records]
    )
    if (rows.length === 0) throw new LeaseLostError(item)
  }

  /** Gives the lease back (an interruption, a spent quota, a failure): the next claim takes the item at once. */
  async release(queueId: string, item: number): Promise<void> {
    await this.session.query(
      `UPDATE ${this.tables.items} SET owner = NULL, owner_pid = NULL, owner_host = NULL, lease_until = NULL ` +
        "WHERE queue_id = $1 AND item = $2 AND owner = $3",
      [queueId, item, this.owner]
    )
  }

  async progress(queueId: string): Promise<WorkQueueProgress> {
    const dead = await this.deadOwnersHere(queueId)
    const [row] = await this.session.query<{ items: string; done: string; leased: string; next_ms: number | null; records: string }>(
      "SELECT count(*) AS items, count(*) FILTER (WHERE status = 'done') AS done, " +
        "count(*) FILTER (WHERE status = 'pending' AND owner IS NOT NULL AND lease_until >= now() AND NOT owner = ANY($2::text[])) AS leased, " +
        "extract(epoch FROM min(lease_until - now()) FILTER (WHERE status = 'pending' AND lease_until >= now())) * 1000 AS next_ms, " +
        `coalesce(sum(records), 0) AS records FROM ${this.tables.items} WHERE queue_id = $1`,
      [queueId, dead]
    )
    return {
      items: Number(row!.items),
      done: Number(row!.done),
      leased: Number(row!.leased),
      nextLeaseEndsInMs: row!.next_ms === null ? undefined : Math.max(0, Math.ceil(Number(row!.next_ms))),
      records: Number(row!.records)
    }
  }

  /**
   * Adds values the queue's items delivered that a later job reads (video ids, usernames): a set,
   * so an item re-run after a death adds nothing twice.
   */
  async addValues(queueId: string, field: string, values: ReadonlyArray<string>): Promise<void> {
    if (values.length === 0) return
    await this.session.query(
      `INSERT INTO ${this.tables.values} (queue_id, field, value) SELECT $1, $2, v FROM unnest($3::text[]) AS t(v) ON CONFLICT DO NOTHING`,
      [queueId, field, values]
    )
  }

  /** The harvest's latest queue (`ensure` was given its id), e.g. to read the values of a harvest that is complete now. */
  async lastQueueOf(harvestId: string): Promise<string | undefined> {
    const [row] = await this.session.query<{ queue_id: string }>(
      `SELECT queue_id FROM ${this.tables.queues} WHERE harvest_id = $1 ORDER BY created_at DESC, queue_id LIMIT 1`,
      [harvestId]
    )
    return row?.queue_id
  }

  /** Every value of `field` the queue's items added, in one order on every machine (sorted). */
  async values(queueId: string, field: string): Promise<ReadonlyArray<string>> {
    const rows = await this.session.query<{ value: string }>(
      `SELECT value FROM ${this.tables.values} WHERE queue_id = $1 AND field = $2 ORDER BY value COLLATE "C"`,
      [queueId, field]
    )
    return rows.map((row) => row.value)
  }

  close(): Promise<void> {
    return this.session.close()
  }

  /** Owners of unfinished items whose process is gone from this host: their leases are void now. */
  private async deadOwnersHere(queueId: string): Promise<Array<string>> {
    const owners = await this.session.query<{ owner: string; owner_pid: number }>(
      `SELECT DISTINCT owner, owner_pid FROM ${this.tables.items} WHERE queue_id = $1 AND status = 'pending' ` +
        "AND owner IS NOT NULL AND owner_host = $2 AND owner <> $3",
      [queueId, this.host, this.owner]
    )
    return owners.filter((o) => !isProcessAlive(o.owner_pid)).map((o) => o.owner)
  }
}
