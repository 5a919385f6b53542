import { ApiFailure } from "../api/api-failure.js"
import { parseFields } from "../api/fields.js"
import { InvalidParams } from "../api/invalid-params.js"
import { integerIn, optionalBoolean, optionalString } from "../api/request-values.js"
import { videoFieldNames } from "../api/video-fields.js"
import { parseDateWindow } from "../query/date-window.js"
import { compileVideoQuery, parseVideoQuery } from "../query/video-query.js"
import { VideoSearch } from "../query/video-search.js"
import type { Endpoint } from "../server/endpoint.js"

/** Video query: a lazily scanned, cached result set paged by an offset cursor and a `search_id`. */
export const videoQuery: Endpoint = (state, request) => {
  const fields = parseFields(request.fields, videoFieldNames)
  const body = request.body
  const query = parseVideoQuery(body.query)
  const window = parseDateWindow(body.start_date, body.end_date)
  const maxCount = integerIn(body, "max_count", 1, 100, 20)
  const cursor = integerIn(body, "cursor", 0, Number.MAX_SAFE_INTEGER, 0)
  const searchId = optionalString(body, "search_id")
  const isRandom = optionalBoolean(body, "is_random")
  const videos = state.world.videos
  if (request.fault === "busyWindow" && window.endSeconds - window.startSeconds > state.faults.busyWindowDays * 86400) {
    throw new ApiFailure(500, "internal_error", "Something went wrong. Please try again later.", {}, "busyWindow")
  }

  const fresh = () => {
    const range = videos.range(window.startSeconds, window.endSeconds)
    return new VideoSearch(videos, range.from, range.to, compileVideoQuery(query))
  }

  if (isRandom) {
    const positions = fresh().all().filter((index) => state.listed(index))
    const picked: Array<number> = []
    for (let k = 0; k < maxCount && positions.length > 0; k++) {
      picked.push(positions.splice(state.random.int(positions.length), 1)[0])
    }
    const id = state.searches.add(fresh())
    return { data: page(state.fragments.list(picked, fields, request.bareIds), picked.length, false, id) }
  }

  let search: VideoSearch
  let id: string
  if (searchId !== undefined) {
    const known = state.searches.get(searchId)
    if (known === undefined) throw new InvalidParams(`search_id ${searchId} is invalid or expired`)
    if (request.fault === "searchIdInvalid") throw new InvalidParams(`search_id ${searchId} is invalid or expired`, "searchIdInvalid")
    search = known
    id = searchId
  } else {
    search = fresh()
    id = state.searches.add(search)
  }

  const slice = search.slice(cursor, maxCount)
  let positions = slice.indices
  let nextCursor = cursor + positions.length
  let hasMore = slice.hasMore
  let applied = undefined as "shortPage" | "emptyPage" | "repeat" | undefined
  const visible = (list: ReadonlyArray<number>) => list.filter((index) => state.listed(index))
  let records = visible(positions)

  // Page faults move records to later pages (the cursor the client sends back) or duplicate one;
  // a client that follows cursors faithfully still receives exactly the result set.
  if (request.fault === "shortPage" && positions.length >= 2) {
    positions = positions.slice(0, Math.floor(positions.length / 2))
    records = visible(positions)
    nextCursor = cursor + positions.length
    hasMore = true
    applied = "shortPage"
  } else if (request.fault === "emptyPage" && positions.length >= 1) {
    records = []
    nextCursor = cursor
    hasMore = true
    applied = "emptyPage"
  } else if (request.fault === "repeat" && cursor > 0) {
    const earlier = search.slice(0, cursor).indices
    const start = Math.floor(state.faults.next() * earlier.length)
    for (let k = 0; k < earlier.length; k++) {
      const index = earlier[(start + k) % earlier.length]
      if (state.listed(index)) {
        records = [...records, index]
        applied = "repeat"
        break
      }
    }
  }
  if (!Number.isSafeInteger(nextCursor)) throw new ApiFailure(500, "internal_error", "cursor overflow")
  return { data: page(state.fragments.list(records, fields, request.bareIds), nextCursor, hasMore, id), appliedFault: applied }
}

const page = (videos: Buffer, cursor: number, hasMore: boolean, searchId: string) =>
  ['{"videos":', videos, `,"cursor":${cursor},"has_more":${hasMore},"search_id":"${searchId}"}`]
