import { mix32 } from "../random/hash.js"
import { idDecimal } from "../world/big-id.js"
import type { VideoSearch } from "./video-search.js"

const MAX_SEARCHES = 1024
/** Result positions kept over all live searches (4 bytes each): the oldest searches go first. */
const MAX_RETAINED = 16_000_000

/**
 * Searches by `search_id`, oldest evicted first (then answered "invalid or expired", as live).
 * Ids are deterministic per (seed, search number).
 */
export class SearchRegistry {
  private readonly searches = new Map<string, VideoSearch>()
  private counter = 0

  constructor(
    private readonly seed: number,
    private readonly limits: { readonly searches: number; readonly retained: number } = {
      searches: MAX_SEARCHES,
      retained: MAX_RETAINED
    }
  ) {}

  add(search: VideoSearch): string {
    this.counter++
    const id = idDecimal(1_700_000_000 + this.counter, mix32(this.seed ^ mix32(this.counter)))
    this.searches.set(id, search)
    this.evict(id)
    return id
  }

  get(id: string): VideoSearch | undefined {
    const search = this.searches.get(id)
    // Scanning grows a search's memory; re-check the bound as searches are used.
    if (search !== undefined) this.evict(id)
    return search
  }

  private evict(keep: string): void {
    let retained = 0
    for (const search of this.searches.values()) retained += search.retained()
    for (const [id, search] of this.searches) {
      if (this.searches.size <= 1 || (this.searches.size <= this.limits.searches && retained <= this.limits.retained)) break
      if (id === keep) continue
      retained -= search.retained()
      this.searches.delete(id)
    }
  }
}
