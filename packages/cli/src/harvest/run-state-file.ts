import { readFile } from "node:fs/promises"
import { dirname } from "node:path"
import { makeDirectory, writeFileAtomic } from "@tikflow/core/internal"
import { CliError } from "../cli-error.js"
import { ExitCode } from "../exit-codes.js"

/**
 * A JSON file a run keeps in its state directory beside its checkpoints (its refused items, its
 * changed values), so a resumed run reports what an interrupted one counted.
 */
export class RunStateFile<T extends { readonly version: number }> {
  private saving: Promise<void> = Promise.resolve()

  constructor(private readonly file: string, private readonly what: string, private readonly version: T["version"]) {}

  /** What an interrupted run of the same command saved, if anything; a file of another version is a usage error. */
  async read(valid: (saved: T) => boolean): Promise<T | undefined> {
    let text: string
    try {
      text = await readFile(this.file, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw error
    }
    try {
      const saved = JSON.parse(text) as T
      if (saved.version !== this.version || !valid(saved)) throw new Error("version")
      return saved
    } catch {
      throw new CliError(`${this.file}: not a ${this.what} file this version wrote; --fresh starts the run over`, ExitCode.Usage)
    }
  }

  /**
   * Replaces the file with `value`, after the saves before it: whole and durable (written aside,
   * fsynced, renamed; `durable: false` leaves out the fsyncs, see `writeFileAtomic`); resolves once
   * it is. What is saved is `value` as it is now.
   */
  save(value: T, options: { readonly durable?: boolean } = {}): Promise<void> {
    const text = JSON.stringify(value)
    this.saving = this.saving.then(async () => {
      await makeDirectory(dirname(this.file))
      await writeFileAtomic(this.file, text, options)
    })
    return this.saving
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.saving
  }
}
