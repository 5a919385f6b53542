/**
 * Values a sink stored, but not as they were: a format that cannot hold a value exactly stores an
 * approximation rather than refusing data the API sent (a description cut mid-emoji holds a lone
 * surrogate, which UTF-8 has no bytes for). A writer says so, per column and reason, and the run
 * counts it in its summary and exit code: nothing changed silently.
 */
export interface ChangedValues {
  /** The column (record field) whose values were changed. */
  readonly column: string
  /** Why and how, as a code: one of {@link changeReasons} or a plugin's own (shown as it is). */
  readonly reason: string
  /** How many values (a list's elements one by one) were stored changed. */
  readonly count: number
}

/** The reasons tikflow's sinks report, and what each did to the value. */
export const changeReasons: Readonly<Record<string, string>> = {
  "lone-surrogate": "a lone UTF-16 surrogate stored as U+FFFD",
  "nul-escaped": "U+0000 stored escaped (\\0, named in _tikflow_nul_fields)",
  "non-finite-null": "NaN or ±Infinity stored as null (JSON has no number for it)"
}

/** Counts changed values as a writer finds them; `take` gives what a `write` returns. */
export interface ChangeTally {
  /** `count` more values of `column` stored changed for `reason` (nothing for 0). */
  count(column: string, reason: string, count?: number): void
  /** Adds changes another part of the writer reported. */
  add(changes: ReadonlyArray<ChangedValues> | undefined | void): void
  /** What was counted since the last `take`, then starts over; undefined when nothing was. */
  take(): ReadonlyArray<ChangedValues> | undefined
}

/**
 * A tally for a writer: count as values are stored, return `tally.take()` from `write`.
 * ```ts
 * const changes = changeTally()
 * async write(batch) { … changes.count("desc", "lone-surrogate"); … return changes.take() }
 * ```
 */
export const changeTally = (): ChangeTally => {
  let counts: Map<string, { column: string; reason: string; count: number }> | undefined
  const tally: ChangeTally = {
    count(column, reason, count = 1) {
      if (count === 0) return
      const key = `${column}\u0000${reason}`
      const entry = (counts ??= new Map()).get(key)
      if (entry === undefined) counts.set(key, { column, reason, count })
      else entry.count += count
    },
    add(changes) {
      if (changes !== undefined) for (const change of changes) tally.count(change.column, change.reason, change.count)
    },
    take() {
      const taken = counts === undefined ? undefined : [...counts.values()]
      counts = undefined
      return taken
    }
  }
  return tally
}

/** Changes of several writes (or runs) added up by column and reason, in first-seen order. */
export const mergeChangedValues = (...lists: ReadonlyArray<ReadonlyArray<ChangedValues> | undefined>): ReadonlyArray<ChangedValues> => {
  const tally = changeTally()
  for (const list of lists) tally.add(list)
  return tally.take() ?? []
}

/**
 * `text` as UTF-8 can hold it, counted when that changes it: a lone surrogate becomes U+FFFD, as
 * `TextEncoder` and `Buffer` write it anyway. For plugins writing text to a UTF-8 format.
 */
export const wellFormedText = (text: string, column: string, changes: ChangeTally): string => {
  if (isWellFormed(text)) return text
  changes.count(column, "lone-surrogate")
  return (text as unknown as WellFormed).toWellFormed()
}

// ES2024's String methods (Node ≥ 20 has them; the project's lib is ES2023).
interface WellFormed {
  isWellFormed(): boolean
  toWellFormed(): string
}

/** Whether UTF-8 holds `text` as it is: no lone surrogate (native; a one-byte string always). */
export const isWellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed()

/**
 * What a `write` resolved to, as changed values: only an array of them counts. A contract 1–3
 * writer may resolve to anything (TypeScript lets `Promise<number>` stand for `Promise<void>`).
 */
export const changesOf = (result: unknown): ReadonlyArray<ChangedValues> | undefined =>
  Array.isArray(result) && result.length > 0 && result.every(isChange) ? result : undefined

const isChange = (value: unknown): value is ChangedValues => {
  const change = value as Partial<ChangedValues> | null
  return typeof change === "object" && change !== null && typeof change.column === "string" && typeof change.reason === "string" &&
    Number.isSafeInteger(change.count) && change.count! > 0
}
