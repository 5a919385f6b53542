import { describe, expect, it } from "vitest"
import { compileVideoQuery, parseVideoQuery } from "../src/query/video-query.js"
import { SearchRegistry } from "../src/query/search-registry.js"
import { VideoSearch } from "../src/query/video-search.js"
import { World } from "../src/world/world.js"

const world = new World(2, { videos: 10_000 })
const all = compileVideoQuery(parseVideoQuery({ not: [{ field_name: "region_code", operation: "EQ", field_values: ["ZZ"] }] }))
const search = () => new VideoSearch(world.videos, 0, world.videos.count, all)

describe("search registry", () => {
  it("keeps at most the configured number of searches, evicting the oldest", () => {
    const registry = new SearchRegistry(1, { searches: 2, retained: 1e9 })
    const ids = [registry.add(search()), registry.add(search()), registry.add(search())]
    expect(new Set(ids).size).toBe(3)
    expect(registry.get(ids[0])).toBeUndefined()
    expect(registry.get(ids[1])).toBeDefined()
    expect(registry.get(ids[2])).toBeDefined()
  })

  it("bounds the result positions held in memory, but never evicts the search in use", () => {
    const registry = new SearchRegistry(1, { searches: 100, retained: 3000 })
    const first = search()
    const a = registry.add(first)
    first.slice(0, 2500)
    const second = search()
    const b = registry.add(second)
    second.slice(0, 2500)
    expect(registry.get(b)).toBe(second)
    expect(registry.get(a)).toBeUndefined()
  })

  it("issues the same search ids for the same seed", () => {
    const x = new SearchRegistry(9)
    const y = new SearchRegistry(9)
    expect([x.add(search()), x.add(search())]).toEqual([y.add(search()), y.add(search())])
    expect(x.add(search())).toMatch(/^\d{19}$/)
  })
})
