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

/**
 * One epoch of a writer as one transaction, opened by its first batch and committed with the
 * checkpoint. Each batch is COPYed straight into the table under a savepoint — rows are written
 * once, as fast as PostgreSQL loads anything. A batch that meets a key already there (a
 * re-delivery, or a key twice in the epoch) is rolled back to its savepoint and COPYed into the
 * staging table instead, and so is every later batch of the epoch, so staged rows are always
 * newer than direct ones; `commit` merges them by key (last version wins). A batch the server
 * refuses (a value of the wrong type) is rolled back alone: nothing of it is staged.
 */
export const epochLoader = (session: PostgresSession, statements: EpochStatements) => {
  let open = false
  let staging = false
  let staged = 0
  let pending = 0

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

  return {
    /** Rows written in this epoch and not yet committed. */
    get pending() {
      return pending
    },
    async load(chunks: Iterable<Uint8Array>, rows: number): Promise<void> {
      if (!open) {
        await session.query("BEGIN")
        open = true
      }
      if (!staging) {
        try {
          await copyAtomically(statements.copyIntoTable, chunks)
          pending += rows
          return
        } catch (error) {
          if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error
          staging = true
        }
      }
      await copyAtomically(statements.copyIntoStaging, chunks)
      staged += rows
      pending += rows
    },
    /** Merges what was staged, runs `withData` (the checkpoint) and commits: all or nothing. */
    async commit(withData: (tx: PostgresStatements) => Promise<unknown>): Promise<void> {
      if (!open) await session.query("BEGIN")
      open = true
      try {
        if (staged > 0) for (const sql of statements.merge) await session.query(sql)
        await withData(session)
        await session.query("COMMIT")
      } catch (error) {
        await session.query("ROLLBACK").catch(() => undefined)
        throw error
      } finally {
        open = false
        staging = false
        staged = 0
        pending = 0
      }
    }
  }
}
