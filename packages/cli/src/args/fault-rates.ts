import { usageError } from "../cli-error.js"

/**
 * `--faults serverError=0.05,rateLimit=0.02` → `{ serverError: 0.05, rateLimit: 0.02 }`, each kind
 * checked against the sandbox's fault kinds, each rate in 0..1 and their sum ≤ 1.
 */
export const parseFaultRates = (
  flag: string,
  raw: string,
  kinds: ReadonlyArray<string>
): Readonly<Record<string, number>> => {
  const rates: Record<string, number> = {}
  for (const item of raw.split(",")) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(item)
    if (!match) throw usageError(`${flag}: expected kind=rate[,kind=rate…], got ${JSON.stringify(item)}`)
    const [, kind, text] = match
    if (!kinds.includes(kind)) throw usageError(`${flag}: unknown fault kind ${JSON.stringify(kind)} (known: ${kinds.join(", ")})`)
    const rate = Number(text)
    if (text.trim() === "" || !(rate >= 0 && rate <= 1)) throw usageError(`${flag}: ${kind}: expected a rate from 0 to 1, got ${JSON.stringify(text)}`)
    rates[kind] = rate
  }
  const total = Object.values(rates).reduce((sum, rate) => sum + rate, 0)
  if (total > 1 + 1e-9) throw usageError(`${flag}: the rates add up to ${total.toFixed(3)}; expected a sum ≤ 1`)
  return rates
}
