import { parseIntegerIn } from "../args/numbers.js"

/**
 * `--max-records N`: the run stops, resumably, once its sinks have received N records in this run
 * (its jobs together; earlier runs' records do not count). The stop is an interruption of the job's
 * pipeline like Ctrl-C: it ends at the page that reaches N, commits it, and the same command run
 * again continues after it (for up to N more).
 */
export class RecordLimit {
  private delivered = 0
  /** Aborted once the limit is reached: every pipeline and work-queue worker of the run stops on it. */
  private readonly controller = new AbortController()

  constructor(readonly max: number) {}

  /** `--max-records N` as given (a whole number ≥ 1), or undefined when absent. */
  static fromFlag(raw: string | undefined): RecordLimit | undefined {
    return raw === undefined ? undefined : new RecordLimit(parseIntegerIn("--max-records", raw, 0, 1, Number.MAX_SAFE_INTEGER))
  }

  /** Whether the run has delivered its N records: no further job starts. */
  get reached(): boolean {
    return this.delivered >= this.max
  }

  get records(): number {
    return this.delivered
  }

  /** The signal a pipeline or worker of the run stops on: the run's own (SIGINT/SIGTERM), or this limit reached. */
  signalFor(runSignal: AbortSignal): AbortSignal {
    return AbortSignal.any([runSignal, this.controller.signal])
  }

  /** Counts records the sinks received; stops the job's pipeline once the run has N. */
  count(records: number): void {
    this.delivered += records
    if (this.reached) this.controller.abort("max-records")
  }
}
