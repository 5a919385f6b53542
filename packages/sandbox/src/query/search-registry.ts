import { mix32 } from "../random/hash.js"
import { idDecimal } from "../world/big-id.js"
import type { VideoSearch } from "./video-search.js"

const LIMIT = 512

/** Searches by `search_id`, oldest evicted first. Ids are deterministic per (seed, search number). */
export class SearchRegistry {
  private readonly searches = new Map<string, VideoSearch>()
  private counter = 0

  constructor(private readonly seed: number) {}

  add(search: VideoSearch): string {
    this.counter++
    const id = idDecimal(1_700_000_000 + this.counter, mix32(this.seed ^ mix32(this.counter)))
    if (this.searches.size >= LIMIT) this.searches.delete(this.searches.keys().next().value as string)
    this.searches.set(id, search)
    return id
  }

  get(id: string): VideoSearch | undefined {
    return this.searches.get(id)
  }
}
