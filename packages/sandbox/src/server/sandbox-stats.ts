import type { FaultKind } from "../faults/fault-kind.js"
import type { EndpointName } from "./endpoint-names.js"

/** Live counters of a running sandbox. */
export interface SandboxStats {
  /** Requests received, by endpoint (every request, whatever its answer). */
  readonly requests: Readonly<Record<EndpointName, number>>
  /** Faults injected, by kind. */
  readonly faults: Readonly<Record<FaultKind, number>>
  /** Access tokens issued. */
  readonly tokensIssued: number
  /** Research requests refused because the daily quota was spent. */
  readonly quotaRejections: number
  /** Research requests being answered right now. */
  readonly inFlight: number
  /** The most research requests answered at once since the start or `resetPeakInFlight()`: a client's real concurrency. */
  readonly peakInFlight: number
}
