/** Values the ground truth and a decoded record must agree on: scalars and lists of scalars. */
const comparable = (value: unknown): boolean =>
  value === null || ["string", "number", "boolean"].includes(typeof value) ||
  (Array.isArray(value) && value.every((v) => ["string", "number", "boolean"].includes(typeof v)))

/**
 * Differences between decoded records and ground-truth records (API shape), matched by `keyOf`:
 * missing keys, unexpected keys, repeated keys, and fields present in both that differ.
 * An empty list means the harvest is exactly the ground truth.
 */
export const differences = (
  label: string,
  actual: ReadonlyArray<Record<string, unknown>>,
  expected: ReadonlyArray<Record<string, unknown>>,
  keyOf: (record: Record<string, unknown>) => string
): Array<string> => {
  const out: Array<string> = []
  const seen = new Map<string, Record<string, unknown>>()
  for (const record of actual) {
    const key = keyOf(record)
    if (seen.has(key)) out.push(`${label}: ${key} delivered twice`)
    seen.set(key, record)
  }
  const wanted = new Set<string>()
  for (const truth of expected) {
    const key = keyOf(truth)
    wanted.add(key)
    const got = seen.get(key)
    if (got === undefined) {
      out.push(`${label}: ${key} missing`)
      continue
    }
    for (const [field, value] of Object.entries(truth)) {
      if (!(field in got) || !comparable(value)) continue
      if (JSON.stringify(got[field]) !== JSON.stringify(value)) {
        out.push(`${label}: ${key}.${field} is ${JSON.stringify(got[field])}, expected ${JSON.stringify(value)}`)
      }
    }
  }
  for (const key of seen.keys()) if (!wanted.has(key)) out.push(`${label}: ${key} not in the ground truth`)
  return out
}
