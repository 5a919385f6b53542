import type { ProgressEvent, ProgressListener } from "@tikflow/core/internal"
import type { Output } from "../output/output.js"
import { formatProgressBar, formatProgressLine } from "./format-progress.js"
import { ProgressTracker } from "./progress-tracker.js"

export interface ProgressDisplay {
  readonly tracker: ProgressTracker
  readonly listener: ProgressListener
  /** Clears the live line (before printing other text) and stops the timer. */
  stop(): void
}

/**
 * Renders progress for the output's mode: a line rewritten in place on a TTY, a plain line every
 * `intervalMs` otherwise, every event as a JSON line with `--log-format json`, nothing with --quiet.
 */
export const startProgressDisplay = (
  output: Output,
  options: {
    readonly label: string
    readonly intervalMs?: number
    /** The environment, for `NO_COLOR` (https://no-color.org) and `TERM=dumb`. */
    readonly env?: NodeJS.ProcessEnv
  }
): ProgressDisplay => {
  const tracker = new ProgressTracker(options.label)
  if (output.quiet) return { tracker, listener: tracker.listener, stop: () => {} }
  if (output.format === "json") {
    const listener = (event: ProgressEvent) => {
      tracker.listener(event)
      // Every request's `request` event follows its `sending` one: one log line per request is enough.
      if (event.type !== "sending") output.event({ type: "progress", event })
    }
    return { tracker, listener, stop: () => {} }
  }
  const live = output.stderr.isTTY === true
  const env = options.env ?? {}
  const color = live && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb"
  const intervalMs = options.intervalMs ?? (live ? 250 : 5000)
  let shown = false
  const render = () => {
    const snapshot = tracker.snapshot()
    if (live) {
      output.raw(`\r\x1b[K${formatProgressBar(snapshot, output.stderr.columns ?? 80, color)}`)
      shown = true
    } else {
      output.raw(formatProgressLine(snapshot) + "\n")
    }
  }
  const clear = () => {
    if (live && shown) output.raw("\r\x1b[K")
    shown = false
  }
  const timer = setInterval(render, intervalMs)
  timer.unref()
  output.clearLive = clear
  return {
    tracker,
    listener: tracker.listener,
    stop: () => {
      clearInterval(timer)
      clear()
      if (output.clearLive === clear) output.clearLive = undefined
    }
  }
}
