import * as Schema from "effect/Schema"
import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import { decodeEffect, decodeWith } from "./decode-with.js"
import { fastEnvelope, toEnvelope, WireErrorEnvelope } from "./error-envelope.js"
import type { ApiErrorEnvelope } from "./error-envelope.js"
import { asObject } from "./fast-fields.js"
import { WireCount, optionalOrNull, WireToken } from "./wire-values.js"

/** One decoded page of a list endpoint. `cursor` and `searchId` are what to send back, verbatim. */
export interface DecodedPage<R> {
  readonly records: ReadonlyArray<R>
  /** The API's cursor for the next page; null when the API omitted it. */
  readonly cursor: number | null
  /** False when the API said so or omitted it (it omits false values). */
  readonly hasMore: boolean
  /** The video query's `search_id`; null elsewhere or when omitted. */
  readonly searchId: string | null
  readonly error: ApiErrorEnvelope
}

/** How one list endpoint's page looks on the wire. */
export interface ListPageSpec<R> {
  /** Where the list may be, in order of preference (real API names first, the spec's after). */
  readonly listKeys: ReadonlyArray<string>
  readonly item: Schema.Decoder<R>
  readonly fastItem: (raw: unknown) => R | undefined
}

interface WireData<R> {
  readonly [list: string]: ReadonlyArray<R> | number | boolean | string | null
}
interface WirePage<R> {
  readonly data: WireData<R> | null
  readonly error: typeof WireErrorEnvelope.Type | null
}

const emptyList: ReadonlyArray<never> = []

/** The page schema of a spec, and its decoder: a fast path, then the schema for the rest. */
export const makeListPageDecoder = <R>(spec: ListPageSpec<R>) => {
  const listFields = Object.fromEntries(spec.listKeys.map((key) => [key, optionalOrNull(Schema.Array(spec.item))]))
  const Data = Schema.Struct({
    ...listFields,
    cursor: optionalOrNull(WireCount),
    has_more: optionalOrNull(Schema.Boolean),
    search_id: optionalOrNull(WireToken)
  })
  const Page = Schema.Struct({ data: optionalOrNull(Data), error: optionalOrNull(WireErrorEnvelope) })

  const fromWire = (wire: WirePage<R>): DecodedPage<R> => {
    const error = toEnvelope(wire.error)
    const data = wire.data
    if (data === null) return { records: emptyList, cursor: null, hasMore: false, searchId: null, error }
    let records: ReadonlyArray<R> = emptyList
    for (const key of spec.listKeys) {
      if (data[key] !== null) {
        records = data[key] as ReadonlyArray<R>
        break
      }
    }
    return {
      records,
      cursor: data.cursor as number | null,
      hasMore: data.has_more === true,
      searchId: data.search_id as string | null,
      error
    }
  }

  const fast = (body: unknown): DecodedPage<R> | undefined => {
    const root = asObject(body)
    if (root === undefined) return undefined
    const error = fastEnvelope(root.error)
    if (error === undefined) return undefined
    if (root.data === undefined || root.data === null) {
      return { records: emptyList, cursor: null, hasMore: false, searchId: null, error }
    }
    const data = asObject(root.data)
    if (data === undefined) return undefined
    let list: unknown = undefined
    for (const key of spec.listKeys) {
      const value = data[key]
      if (value === undefined || value === null) continue
      if (list !== undefined || !Array.isArray(value)) return undefined // two lists, or not a list
      list = value
    }
    const { cursor, has_more: hasMore, search_id: searchId } = data
    if (cursor !== undefined && cursor !== null && (typeof cursor !== "number" || !Number.isSafeInteger(cursor))) return undefined
    if (hasMore !== undefined && hasMore !== null && typeof hasMore !== "boolean") return undefined
    if (searchId !== undefined && searchId !== null && typeof searchId !== "string") return undefined
    let records: ReadonlyArray<R> = emptyList
    if (list !== undefined) {
      const items = list as ReadonlyArray<unknown>
      const decoded = new Array<R>(items.length)
      for (let i = 0; i < items.length; i++) {
        const record = spec.fastItem(items[i])
        if (record === undefined) return undefined
        decoded[i] = record
      }
      records = decoded
    }
    return {
      records,
      cursor: (cursor as number | undefined) ?? null,
      hasMore: hasMore === true,
      searchId: (searchId as string | undefined) ?? null,
      error
    }
  }

  const decodeSync = (body: unknown, endpoint: string): DecodedPage<R> =>
    fast(body) ?? fromWire(decodeWith(Page, body, endpoint) as unknown as WirePage<R>)

  return {
    schema: Page,
    decodeSync,
    decode: (body: unknown, endpoint: string): Effect.Effect<DecodedPage<R>, DecodeError> =>
      decodeEffect(() => decodeSync(body, endpoint), endpoint)
  }
}

/** The records of a page, each extended with the same edge fields (e.g. `of_username`). */
export const withEdge = <R, E extends object>(page: DecodedPage<R>, edge: E): DecodedPage<R & E> => ({
  ...page,
  records: page.records.map((record) => ({ ...record, ...edge }))
})
