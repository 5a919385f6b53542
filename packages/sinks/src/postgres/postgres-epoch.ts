import type { ChangedValues } from "@tikflow/core/internal"
import type { CopyText } from "./postgres-copy-text.js"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"

export interface EpochStatements {
  /** COPY into the stream's table. */
  readonly copyIntoTable: string
  /** COPY into the connection's staging table. */
  readonly copyIntoStaging: string
  /** Staging → table, last version per key; then the staging table is emptied. */
  readonly merge: ReadonlyArray<string>
}

const UNIQUE_VIOLATION = "23505"

// Rows are sent in loads of about this size: few large COPYs, not one per page of 100 records
// (each COPY costs round trips: savepoint, COPY start, end, release), and the server loads one
// while the pipeline fetches and encodes the next.
const LOAD_BYTES = 1024 * 1024
// While a load is in flight, `write` gives the event loop a turn after about this many bytes, so
// the connection keeps the server fed even when pages come faster than I/O (a replay, a bench).
const YIELD_BYTES = 128 * 1024
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * One epoch of a writer as one transaction, opened by its first load and committed with the
 * checkpoint. Pages of records are encoded as they come (`write`) and sent in loads: one load at a
 * time is in flight while the next fills. Each load is COPYed straight into the table under a
 * savepoint — rows are written once, as fast as PostgreSQL loads anything. A load that meets a key
 * already there (a re-delivery, or a key twice in the epoch) is rolled back to its savepoint and
 * COPYed into the staging table instead, and so is every later load of the epoch, so staged rows
 * are always newer than direct ones; `commit` merges them by key (last version wins). A load the
 * server refuses fails the epoch: `write` or `commit` throws it and nothing of the epoch commits.
 */
export const epochLoader = (session: PostgresSession, statements: EpochStatements, rows: CopyText) => {
  let open = false
  let staging = false
  let staged = 0
  let loaded = 0
  let inFlight: Promise<void> | undefined
  let failure: { readonly error: unknown } | undefined
  let yielded = 0
  /** A statement for the start of the next transaction (the delete of days fetched again). */
  let first: { readonly sql: string; readonly params: ReadonlyArray<unknown> } | undefined

  const begin = async () => {
    await session.query("BEGIN")
    open = true
    if (first !== undefined) await session.query(first.sql, first.params as Array<unknown>)
  }

  const copyAtomically = async (sql: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    await session.query("SAVEPOINT tikflow_batch")
    try {
      await session.copyIn(sql, chunks)
    } catch (error) {
      await session.query("ROLLBACK TO SAVEPOINT tikflow_batch").catch(() => undefined)
      throw error
    }
    await session.query("RELEASE SAVEPOINT tikflow_batch")
  }

  const load = async (chunks: ReadonlyArray<Uint8Array>, count: number): Promise<void> => {
    if (!open) await begin()
    if (!staging) {
      try {
        await copyAtomically(statements.copyIntoTable, chunks)
        loaded += count
        return
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error
        staging = true
      }
    }
    await copyAtomically(statements.copyIntoStaging, chunks)
    staged += count
    loaded += count
  }

  /** Waits for the load in flight; throws the epoch's failure, if any. */
  const settle = async (): Promise<void> => {
    await inFlight
    inFlight = undefined
    if (failure !== undefined) throw failure.error
  }

  /** Sends what is encoded as the next load, in the background (its failure is kept for `settle`). */
  const send = () => {
    const count = rows.rows
    inFlight = load(rows.take(), count).catch((error: unknown) => void (failure ??= { error }))
  }

  return {
    /** Runs `sql` first in the next epoch's transaction, before its rows: it commits with them. */
    beginWith(sql: string, params: ReadonlyArray<unknown>): void {
      first = { sql, params }
    },
    /** Rows written in this epoch and not yet committed. */
    get pending() {
      return loaded + rows.rows
    },
    /**
     * Encodes `records` into the epoch (see CopyText.append: a value its column cannot take throws
     * and appends nothing); sends a load once one is full. Resolves to the values stored changed.
     */
    async write(records: ReadonlyArray<unknown>): Promise<ReadonlyArray<ChangedValues> | undefined> {
      if (failure !== undefined) throw failure.error
      const changes = rows.append(records)
      if (rows.bytes >= LOAD_BYTES) {
        await settle()
        send()
        yielded = 0
      } else if (inFlight !== undefined && rows.bytes - yielded >= YIELD_BYTES) {
        yielded = rows.bytes
        await nextTurn()
      }
      return changes
    },
    /** Sends the rest, merges what was staged, runs `withData` (the checkpoint) and commits: all or nothing. */
    async commit(withData: (tx: PostgresStatements) => Promise<unknown>): Promise<void> {
      try {
        await settle()
        if (rows.rows > 0) send()
        await settle()
        if (!open) await begin()
        if (staged > 0) for (const sql of statements.merge) await session.query(sql)
        await withData(session)
        await session.query("COMMIT")
        first = undefined
      } catch (error) {
        if (open) await session.query("ROLLBACK").catch(() => undefined)
        throw error
      } finally {
        rows.take()
        open = false
        staging = false
        staged = 0
        loaded = 0
        failure = undefined
        yielded = 0
      }
    },
    /** Waits for a load in flight, its failure ignored: the connection is about to close. */
    async drain(): Promise<void> {
      await inFlight
    }
  }
}
