import { byCreation, type HarvestRecord } from "./harvest-record.js"
import type { HistoryStore } from "./history-store.js"

/** Harvest records in this process's memory: for library use without a state directory, and for tests. */
export class MemoryHistoryStore implements HistoryStore {
  readonly location = "memory"
  private readonly records = new Map<string, HarvestRecord>()

  read(id: string): Promise<HarvestRecord | undefined> {
    return Promise.resolve(this.records.get(id))
  }

  update(id: string, f: (record: HarvestRecord | undefined) => HarvestRecord): Promise<HarvestRecord> {
    const next = f(this.records.get(id))
    this.records.set(id, next)
    return Promise.resolve(next)
  }

  list(): Promise<ReadonlyArray<HarvestRecord>> {
    return Promise.resolve([...this.records.values()].sort(byCreation))
  }
}
