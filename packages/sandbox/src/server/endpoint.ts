import type { VideoFragments } from "../api/video-fragments.js"
import type { FaultInjector } from "../faults/fault-injector.js"
import type { FaultKind } from "../faults/fault-kind.js"
import type { SearchRegistry } from "../query/search-registry.js"
import type { Prng } from "../random/prng.js"
import type { World } from "../world/world.js"

/** What every research endpoint handler can use. */
export interface SandboxState {
  readonly world: World
  readonly fragments: VideoFragments
  readonly searches: SearchRegistry
  readonly faults: FaultInjector
  /** For `is_random` pages. */
  readonly random: Prng
  /** Whether a video (by index) is in the API's results by now: not hidden, and past the data lag. */
  readonly listed: (index: number) => boolean
}

export interface EndpointRequest {
  readonly body: Record<string, unknown>
  readonly rawBody: string
  /** The `fields` query parameter, or null when absent. */
  readonly fields: string | null
  /** The fault drawn for this request, for handlers that inject page-level faults. */
  readonly fault: FaultKind | undefined
  readonly bareIds: boolean
}

/** JSON of `data`, possibly in pieces (UTF-8 buffers and strings) to avoid re-encoding. */
export type JsonChunks = ReadonlyArray<string | Buffer>

export interface EndpointResult {
  readonly data: string | JsonChunks
  /** The page-level fault the handler applied, if any. */
  readonly appliedFault?: FaultKind
}

/** A research endpoint: throws `InvalidParams` / `ApiFailure` for error answers. */
export type Endpoint = (state: SandboxState, request: EndpointRequest) => EndpointResult
