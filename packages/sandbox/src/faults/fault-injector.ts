import { Prng } from "../random/prng.js"
import type { FaultKind, FaultOptions } from "./fault-kind.js"
import { faultKinds } from "./fault-kind.js"

/**
 * Decides, per research request, which fault (if any) it gets: one draw from a seeded PRNG, mapped
 * onto the kinds' cumulative rates. The same request sequence therefore gets the same faults, and
 * each kind occurs at exactly its rate among the requests it can apply to.
 */
export class FaultInjector {
  private rates: Record<FaultKind, number>
  private prng: Prng
  slowMs = 250
  retryAfterSeconds = 1
  busyWindowDays = 7
  readonly injected: Record<FaultKind, number>

  constructor(seed: number, options: FaultOptions = {}) {
    this.prng = new Prng(seed)
    this.rates = Object.fromEntries(faultKinds.map((k) => [k, 0])) as Record<FaultKind, number>
    this.injected = Object.fromEntries(faultKinds.map((k) => [k, 0])) as Record<FaultKind, number>
    this.set(options)
  }

  /** Changes some rates (others keep their value). */
  set(options: FaultOptions): void {
    const next = { ...this.rates }
    for (const [key, value] of Object.entries(options)) {
      if (key === "slowMs" || key === "retryAfterSeconds" || key === "busyWindowDays") {
        if (typeof value !== "number" || !(value >= 0)) throw new RangeError(`faults.${key}: expected a number ≥ 0, got ${value}`)
        continue
      }
      if (!(faultKinds as ReadonlyArray<string>).includes(key)) {
        throw new RangeError(`faults.${key}: unknown fault kind (expected one of ${faultKinds.join(", ")})`)
      }
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
        throw new RangeError(`faults.${key}: expected a rate in 0..1, got ${value}`)
      }
      next[key as FaultKind] = value
    }
    const total = faultKinds.reduce((sum, k) => sum + next[k], 0)
    if (total > 1 + 1e-9) throw new RangeError(`faults: the rates must sum to at most 1, got ${total}`)
    this.rates = next
    if (options.slowMs !== undefined) this.slowMs = options.slowMs
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds
    if (options.busyWindowDays !== undefined) this.busyWindowDays = options.busyWindowDays
  }

  /** The fault drawn for the next request (not yet counted: see {@link record}). */
  draw(): FaultKind | undefined {
    const u = this.prng.next()
    let cumulative = 0
    for (const kind of faultKinds) {
      const rate = this.rates[kind]
      if (rate === 0) continue
      cumulative += rate
      if (u < cumulative) return kind
    }
    return undefined
  }

  /** A uniform number from the fault stream, for choices inside a fault (which video to repeat…). */
  next(): number {
    return this.prng.next()
  }

  record(kind: FaultKind): void {
    this.injected[kind]++
  }
}
