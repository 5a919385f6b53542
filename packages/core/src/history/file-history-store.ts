import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { writeJsonAtomic } from "../files/atomic-write.js"
import { withLockFile } from "../files/lock-file.js"
import { readJsonFile } from "../files/read-json-file.js"
import { byCreation, type HarvestRecord, parseHarvestRecord } from "./harvest-record.js"
import type { HistoryStore } from "./history-store.js"

/** A harvest id as a file name: ids are `<stream>-<hex>`; anything else is refused rather than escaped. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/

/**
 * One JSON file per harvest, `<dir>/<harvest id>.json` (the CLI's `<state>/history/`). An update
 * re-reads the file under `<file>.lock` and replaces it atomically (temp file, fsync, rename);
 * readers need no lock, the file is only ever replaced whole.
 */
export class FileHistoryStore implements HistoryStore {
  constructor(readonly location: string) {}

  private fileOf(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`harvest id ${JSON.stringify(id)}: expected letters, digits, _ and -`)
    return join(this.location, `${id}.json`)
  }

  async read(id: string): Promise<HarvestRecord | undefined> {
    return readRecordFile(this.fileOf(id))
  }

  async update(id: string, f: (record: HarvestRecord | undefined) => HarvestRecord): Promise<HarvestRecord> {
    const file = this.fileOf(id)
    return withLockFile(`${file}.lock`, async () => {
      const next = f(await readRecordFile(file))
      await writeJsonAtomic(file, next)
      return next
    })
  }

  async list(): Promise<ReadonlyArray<HarvestRecord>> {
    let names: Array<string>
    try {
      names = await readdir(this.location)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
      throw error
    }
    const records: Array<HarvestRecord> = []
    for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
      const record = await readRecordFile(join(this.location, name))
      if (record !== undefined) records.push(record)
    }
    return records.sort(byCreation)
  }
}

const readRecordFile = async (file: string): Promise<HarvestRecord | undefined> => {
  // A history we cannot read must not silently become "never harvested" (and spend the quota again).
  const unreadable = (problem: string) => new Error(`harvest history ${file}: ${problem}; fix or remove the file`)
  const parsed = await readJsonFile(file, (parseError) => unreadable(`not valid JSON (${parseError})`))
  if (parsed === undefined) return undefined
  const record = parseHarvestRecord(parsed)
  if (typeof record === "string") throw unreadable(record)
  return record
}
