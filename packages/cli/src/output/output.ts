import { Redactor } from "./redactor.js"

export type LogFormat = "text" | "json"

/**
 * Where the CLI writes. Results (help, quota, plugin lists, the demo's report) go to stdout;
 * progress, notices and errors go to stderr, so `--out ndjson:-` can own stdout. Everything passes
 * through the redactor.
 */
export class Output {
  readonly redactor = new Redactor()
  /** Set by a live progress display: clears its line so other text does not land on it. */
  clearLive: (() => void) | undefined

  constructor(
    readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    readonly format: LogFormat = "text",
    readonly quiet = false
  ) {}

  /** A result line on stdout (printed even with --quiet: it is what the user asked for). */
  result(text: string): void {
    this.stdout.write(this.redactor.redact(text) + "\n")
  }

  /** A notice on stderr ("resuming harvest …"), silenced by --quiet; a JSON event with --log-format json. */
  notice(text: string, fields: Record<string, unknown> = {}): void {
    if (this.quiet) return
    if (this.format === "json") this.event({ type: "notice", message: text, ...fields })
    else {
      this.clearLive?.()
      this.stderr.write(this.redactor.redact(text) + "\n")
    }
  }

  /** An error line on stderr; never silenced. */
  error(text: string, fields: Record<string, unknown> = {}): void {
    if (this.format === "json") this.event({ type: "error", message: text, ...fields }, true)
    else {
      this.clearLive?.()
      this.stderr.write(`tikflow: ${this.redactor.redact(text)}\n`)
    }
  }

  /** One JSON line on stderr. */
  event(event: Record<string, unknown>, force = false): void {
    if (this.quiet && !force) return
    this.stderr.write(this.redactor.redact(JSON.stringify({ time: new Date().toISOString(), ...event })) + "\n")
  }

  /** Raw write to stderr for the live progress line. */
  raw(text: string): void {
    this.stderr.write(this.redactor.redact(text))
  }
}
