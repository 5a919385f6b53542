import { InvalidParams } from "./invalid-params.js"

/**
 * The `fields` query parameter: a comma-separated selection from the endpoint's known fields.
 * Duplicates collapse; an unknown or missing selection is `invalid_params`.
 */
export const parseFields = <F extends string>(raw: string | null, known: ReadonlyArray<F>): ReadonlyArray<F> => {
  if (raw === null || raw.trim() === "") throw new InvalidParams(`fields: expected a comma-separated list of ${known.join(", ")}`)
  const selected: Array<F> = []
  for (const part of raw.split(",")) {
    const name = part.trim()
    if (name === "") continue
    if (!(known as ReadonlyArray<string>).includes(name)) {
      throw new InvalidParams(`fields: unknown field ${JSON.stringify(name)} (expected some of ${known.join(", ")})`)
    }
    if (!selected.includes(name as F)) selected.push(name as F)
  }
  if (selected.length === 0) throw new InvalidParams(`fields: expected a comma-separated list of ${known.join(", ")}`)
  return selected
}
