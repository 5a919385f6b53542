/**
 * PostgreSQL `text` cannot hold U+0000. A value that contains it is stored escaped — `\` becomes
 * `\\` and NUL becomes `\0` — and its field is named in the row's `_tikflow_nul_fields`, so the
 * escape is reversible and visible; values without NUL (nearly all) are stored as they are.
 */
const NUL = "\u0000"

export const hasNul = (value: string): boolean => value.includes(NUL)

export const escapeNul = (value: string): string => value.replaceAll("\\", "\\\\").replaceAll(NUL, "\\0")

/** The inverse of the escape: the original value of a field named in `_tikflow_nul_fields`. */
export const unescapeNul = (value: string): string => value.replace(/\\([\\0])/g, (_, c: string) => (c === "0" ? NUL : "\\"))

/**
 * Restores a row read back from a postgres sink table: every field named in
 * `_tikflow_nul_fields` (a string or a list of strings) is unescaped; the marker is removed.
 */
export const restoreNulFields = <R extends Record<string, unknown>>(row: R): Omit<R, "_tikflow_nul_fields"> => {
  const { _tikflow_nul_fields: fields, ...rest } = row as R & { _tikflow_nul_fields?: ReadonlyArray<string> | null }
  const out = rest as Record<string, unknown>
  for (const field of fields ?? []) {
    const value = out[field]
    if (typeof value === "string") out[field] = unescapeNul(value)
    else if (Array.isArray(value)) out[field] = value.map((item) => (typeof item === "string" ? unescapeNul(item) : item))
  }
  return out as Omit<R, "_tikflow_nul_fields">
}
