import { VideoFragments } from "./api/video-fragments.js"
import { FaultInjector } from "./faults/fault-injector.js"
import type { FaultOptions } from "./faults/fault-kind.js"
import type { GroundTruth } from "./ground-truth.js"
import { groundTruthOf } from "./ground-truth.js"
import { SearchRegistry } from "./query/search-registry.js"
import { hash3, unit3 } from "./random/hash.js"
import { Prng } from "./random/prng.js"
import { DailyQuota } from "./server/daily-quota.js"
import type { EndpointName } from "./server/endpoint-names.js"
import { endpointNames } from "./server/endpoint-names.js"
import { startHttpServer } from "./server/http-server.js"
import type { SandboxStats } from "./server/sandbox-stats.js"
import { TokenStore } from "./server/token-store.js"
import type { WorldOptions } from "./world/world-options.js"
import { World } from "./world/world.js"
import { countsShare } from "./world/growing-counts.js"

export interface SandboxCredentials {
  readonly clientKey: string
  readonly clientSecret: string
}

/** The client credentials a sandbox accepts unless told otherwise. */
export const sandboxCredentials: SandboxCredentials = { clientKey: "sandbox-key", clientSecret: "sandbox-secret" }

export interface SandboxOptions {
  /** Seed of the world and of every random decision (default 1). */
  readonly seed?: number
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string
  readonly world?: WorldOptions
  /** Fault rates (default: none). */
  readonly faults?: FaultOptions
  /** Share of responses sending ids as bare JSON numbers (default 1), the rest as strings. */
  readonly bareNumberIdShare?: number
  /** Share of responses whose `error` says `msg` instead of `message` (default 0.1). */
  readonly msgKeyShare?: number
  /** Research requests per client per UTC day (default 1000). */
  readonly quotaPerDay?: number
  /** Lifetime of issued tokens (default 7200). */
  readonly tokenLifetimeSeconds?: number
  /** The sandbox's notion of now, epoch ms (default `Date.now`): drives token expiry and the quota day. */
  readonly clock?: () => number
  readonly credentials?: SandboxCredentials
  /** Memory for cached video JSON (off-heap), in bytes (default 256 MiB; 0 disables the cache). */
  readonly cacheBytes?: number
  /** Delay before every research request is answered, in ms (default 0): the real API's latency. */
  readonly latencyMs?: number
  /**
   * The API's data lag, in hours (default 0: every video is listed at once). With a lag, a video
   * is listed only from a point within this many hours after its creation (its own, seeded), by
   * the sandbox clock, and videos created after the clock's now are not listed: the last days
   * before now are incomplete, as the real API's last ~48 h are. Ground truth follows the clock.
   */
  readonly dataLagHours?: number
  /**
   * With a data lag: a video's counts (views, likes, comments, shares, favorites) still grow while
   * it is within the lag, by the sandbox clock — it shows the share of the lag passed since its
   * creation (at least 1/10) of its final, seeded counts, and its final counts once the lag is
   * over. So a provisional day fetched again returns the same videos with larger counts (plus the
   * ones listed since). Ground truth follows the clock. Default false: counts never change.
   */
  readonly growingCounts?: boolean
}

export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string
  readonly port: number
  readonly seed: number
  readonly credentials: SandboxCredentials
  readonly world: World
  readonly stats: SandboxStats
  readonly groundTruth: GroundTruth
  /** Changes some fault rates (and `slowMs` / `retryAfterSeconds`); the others keep theirs. */
  setFaults(faults: FaultOptions): void
  /** Replaces the clock. */
  setClock(clock: () => number): void
  /** Changes the delay before every research request is answered, in ms. */
  setLatency(ms: number): void
  /** Starts counting `stats.peakInFlight` afresh (from the requests in flight now). */
  resetPeakInFlight(): void
  /** The sandbox clock's current time (epoch ms). */
  now(): number
  /** Closes the server and every open connection, including ones a `timeout` fault left hanging. */
  stop(): Promise<void>
}

const shareOption = (name: string, value: number): number => {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: expected a number in 0..1, got ${value}`)
  return value
}

const countOption = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name}: expected a non-negative integer, got ${value}`)
  return value
}

/** Starts an embedded TikTok Research API on loopback over the seed's synthetic world. */
export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const seed = countOption("seed", options.seed ?? 1) >>> 0
  const bareNumberIdShare = shareOption("bareNumberIdShare", options.bareNumberIdShare ?? 1)
  const msgKeyShare = shareOption("msgKeyShare", options.msgKeyShare ?? 0.1)
  const quotaPerDay = countOption("quotaPerDay", options.quotaPerDay ?? 1000)
  const tokenLifetimeSeconds = countOption("tokenLifetimeSeconds", options.tokenLifetimeSeconds ?? 7200)
  const credentials = options.credentials ?? sandboxCredentials
  let clock = options.clock ?? Date.now
  let latencyMs = countOption("latencyMs", options.latencyMs ?? 0)
  const inFlight = { current: 0, peak: 0 }

  const world = new World(seed, options.world)
  const lagSeconds = countOption("dataLagHours", options.dataLagHours ?? 0) * 3600
  const listed = (index: number): boolean =>
    !world.videos.isHidden(index) &&
    (lagSeconds === 0 || clock() / 1000 >= world.videos.createTime(index) + lagSeconds * unit3(seed, index, 13))
  if (options.growingCounts === true && lagSeconds === 0) throw new RangeError("growingCounts: expected a dataLagHours above 0 (counts grow during the lag)")
  const share = options.growingCounts === true
    ? (index: number) => countsShare(world.videos.createTime(index), lagSeconds, clock() / 1000)
    : () => 1
  const faults = new FaultInjector(hash3(seed, 0, 900), options.faults)
  const tokens = new TokenStore()
  const requests = Object.fromEntries(endpointNames.map((n) => [n, 0])) as Record<EndpointName, number>
  let quotaRejections = 0

  const server = await startHttpServer(
    {
      seed,
      state: {
        world,
        fragments: new VideoFragments(world.videos, countOption("cacheBytes", options.cacheBytes ?? 256 * 1024 * 1024), share),
        searches: new SearchRegistry(seed),
        faults,
        random: new Prng(hash3(seed, 0, 901)),
        listed
      },
      tokens,
      quota: new DailyQuota(quotaPerDay),
      credentials,
      tokenLifetimeSeconds: () => tokenLifetimeSeconds,
      now: () => clock(),
      bareNumberIdShare: () => bareNumberIdShare,
      msgKeyShare: () => msgKeyShare,
      requests,
      onQuotaRejection: () => {
        quotaRejections++
      },
      latencyMs: () => latencyMs,
      inFlight
    },
    options.host ?? "127.0.0.1",
    options.port ?? 0
  )

  const stats: SandboxStats = {
    requests,
    faults: faults.injected,
    get tokensIssued() {
      return tokens.issued
    },
    get quotaRejections() {
      return quotaRejections
    },
    get inFlight() {
      return inFlight.current
    },
    get peakInFlight() {
      return inFlight.peak
    }
  }

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${server.port}`,
    port: server.port,
    seed,
    credentials,
    world,
    stats,
    groundTruth: groundTruthOf(world, listed, share),
    setFaults: (next) => faults.set(next),
    setClock: (next) => {
      clock = next
    },
    setLatency: (ms) => {
      latencyMs = countOption("latencyMs", ms)
    },
    resetPeakInFlight: () => {
      inFlight.peak = inFlight.current
    },
    now: () => clock(),
    stop: () => server.stop()
  }
}
