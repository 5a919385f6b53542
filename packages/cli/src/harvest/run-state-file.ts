import { readFile, rename, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { makeDirectory } from "@tikflow/core/internal"
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

  /** Replaces the file with `value` (whole: written aside, then renamed), after the saves before it. */
  save(value: T): void {
    const text = JSON.stringify(value)
    this.saving = this.saving.then(async () => {
      await makeDirectory(dirname(this.file))
      const temp = `${this.file}.${process.pid}.tmp`
      await writeFile(temp, text)
      await rename(temp, this.file)
    })
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.saving
  }
}
