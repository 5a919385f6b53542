import type { ItemRefusedEvent, ProgressEvent, ProgressListener } from "@tikflow/core/internal"
import { RunStateFile } from "./run-state-file.js"

/** What the API refused in one keyed harvest (comments of videos, user info, per-user lists). */
export interface HarvestRefusals {
  readonly harvestId: string
  readonly stream: string
  readonly itemKind: ItemRefusedEvent["itemKind"]
  /** Items the harvest asked for (its list's length). */
  readonly of: number
  /** Distinct refused items, in the order of the harvest's list (whatever order they ran in). */
  readonly items: ReadonlyArray<string>
  /** Refused items per API error code. */
  readonly byCode: Readonly<Record<string, number>>
}

interface Tracked {
  readonly info: Omit<HarvestRefusals, "items" | "byCode" | "itemKind">
  /** The harvest's list, when it ran in this process (orders the items). */
  list: ReadonlyArray<string> | undefined
  /** Refused item → its kind and the API's code. */
  readonly items: Map<string, { readonly itemKind: ItemRefusedEvent["itemKind"]; readonly code: string }>
}

interface SavedRefusals {
  readonly version: 1
  readonly harvests: ReadonlyArray<Omit<HarvestRefusals, "byCode"> & { readonly codes: ReadonlyArray<string> }>
}

/**
 * Counts the items the API refuses, per harvest, from `item-refused` events. Distinct items, so a
 * re-requested item counts once and the counts do not depend on the order items run in. Saved
 * with the run's state at every checkpoint, so a resumed run (or a later job's) still reports the
 * refusals of the harvests an interruption cut short or that finished before it.
 */
export class RefusedItems {
  private dirty = false

  private constructor(private readonly file: RunStateFile<SavedRefusals>, private readonly harvests: Array<Tracked>) {}

  /** The refusals saved in `file` by an interrupted run of the same command, if any. */
  static async open(path: string): Promise<RefusedItems> {
    const file = new RunStateFile<SavedRefusals>(path, "refused-items", 1)
    const saved = await file.read((refusals) => Array.isArray(refusals.harvests))
    return new RefusedItems(file, (saved?.harvests ?? []).map((h): Tracked => ({
      info: { harvestId: h.harvestId, stream: h.stream, of: h.of },
      list: undefined,
      items: new Map(h.items.map((item: string, i: number) => [item, { itemKind: h.itemKind, code: h.codes[i] ?? "unknown" }] as const))
    })))
  }

  /** Starts (or resumes) counting for one harvest of `list`; feed its progress events to the listener. */
  track(harvestId: string, stream: string, list: ReadonlyArray<string>): ProgressListener {
    let tracked = this.harvests.find((h) => h.info.harvestId === harvestId)
    if (tracked === undefined) this.harvests.push(tracked = { info: { harvestId, stream, of: list.length }, list, items: new Map() })
    tracked.list = list
    const items = tracked.items
    return (event: ProgressEvent) => {
      if (event.type === "item-refused" && !items.has(event.item)) {
        items.set(event.item, { itemKind: event.itemKind, code: event.code })
        this.dirty = true
      }
      // Saved with each checkpoint: a refusal before it is never asked again on resume.
      if (event.type === "checkpoint" && this.dirty) this.save()
    }
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.file.settled()
  }

  /** The harvests with at least one refused item. */
  refusals(): ReadonlyArray<HarvestRefusals> {
    return this.harvests.filter((h) => h.items.size > 0).map(({ info, list, items }) => {
      const byCode: Record<string, number> = {}
      for (const { code } of items.values()) byCode[code] = (byCode[code] ?? 0) + 1
      const first = items.values().next().value!
      return { ...info, itemKind: first.itemKind, items: list === undefined ? [...items.keys()] : inListOrder(list, items), byCode }
    })
  }

  private save(): void {
    this.dirty = false
    const harvests = this.refusals().map(({ byCode: _, ...refusal }) => {
      const codes = this.harvests.find((h) => h.info.harvestId === refusal.harvestId)!.items
      return { ...refusal, codes: refusal.items.map((item) => codes.get(item)!.code) }
    })
    this.file.save({ version: 1, harvests })
  }
}

/** The refused items in the order of the list, each once. */
const inListOrder = (list: ReadonlyArray<string>, refused: ReadonlyMap<string, unknown>): Array<string> => {
  const seen = new Set<string>()
  for (const item of list) if (refused.has(item)) seen.add(item)
  return [...seen]
}

/** Refused items over all harvests, per item kind. */
export const refusedTotals = (refusals: ReadonlyArray<HarvestRefusals>): Partial<Record<ItemRefusedEvent["itemKind"], number>> => {
  const totals: Partial<Record<ItemRefusedEvent["itemKind"], number>> = {}
  for (const refusal of refusals) totals[refusal.itemKind] = (totals[refusal.itemKind] ?? 0) + refusal.items.length
  return totals
}

const nouns: Record<ItemRefusedEvent["itemKind"], string> = { video_id: "video id", username: "username" }

/** `3 video ids`, `1 username`. */
export const countOf = (count: number, kind: ItemRefusedEvent["itemKind"]): string =>
  `${count} ${nouns[kind]}${count === 1 ? "" : "s"}`

/**
 * One harvest's refusals as a summary line: how many of how many, per code, what happens to them,
 * and the first few items.
 */
export const describeRefusals = (refusal: HarvestRefusals): string => {
  const codes = Object.entries(refusal.byCode).map(([code, n]) => `${code} ${n}`).join(", ")
  const kept = refusal.stream === "users" ? "kept as records with lookup_error" : "nothing stored for them"
  const shown = refusal.items.slice(0, 5).join(", ")
  const more = refusal.items.length > 5 ? `, … and ${refusal.items.length - 5} more` : ""
  const all = refusal.items.length >= refusal.of ? "all " : ""
  return `${all}${refusal.items.length} of ${countOf(refusal.of, refusal.itemKind)} refused by the API (${codes}), ${kept}: ${shown}${more}`
}
