/**
 * Where a delivered record came from, stamped by the pipeline runner on every record it hands to
 * sinks (unless `provenance: false`), and stored by every built-in sink as trailing columns.
 */
export interface Provenance {
  /** The harvest that delivered the record (`Source.harvestId`). */
  readonly _harvest_id: string
  /** When the API response holding the record arrived: ISO-8601 UTC with milliseconds. */
  readonly _fetched_at: string
  /** That response's `x-tt-logid` header (the API's request id, for support), null if none. */
  readonly _log_id: string | null
}

/** The provenance fields, in column order: the last columns of every built-in sink's tables. */
export const provenanceFields: ReadonlyArray<keyof Provenance & string> = ["_harvest_id", "_fetched_at", "_log_id"]

/**
 * Adds the provenance fields to each record. Records are the runner's own fresh objects, so they
 * are stamped in place (three stores, no copy per record); a frozen or sealed record is copied.
 * Returns the records to pass on (the same array unless one was copied).
 */
export const stampProvenance = <R>(records: ReadonlyArray<R>, provenance: Provenance): ReadonlyArray<R> => {
  let out: Array<R> | undefined
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Record<string, unknown>
    if (Object.isExtensible(record)) {
      record._harvest_id = provenance._harvest_id
      record._fetched_at = provenance._fetched_at
      record._log_id = provenance._log_id
    } else {
      out ??= [...records]
      out[i] = { ...record, ...provenance } as R
    }
  }
  return out ?? records
}
