import type { ProgressEvent, ProgressListener } from "@tikflow/core"
import type { Output } from "../output/output.js"
import { formatProgressLine } from "./format-progress.js"
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
  options: { readonly label: string; readonly intervalMs?: number } 
): ProgressDisplay => {
  const tracker = new ProgressTracker(options.label)
  if (output.quiet) return { tracker, listener: tracker.listener, stop: () => {} }
  if (output.format === "json") {
    const listener = (event: ProgressEvent) => {
      tracker.listener(event)
      output.event({ type: "progress", event })
    }
    return { tracker, listener, stop: () => {} }
  }
  const live = output.stderr.isTTY === true
  const intervalMs = options.intervalMs ?? (live ? 250 : 5000)
  let shown = false
  const render = () => {
    const line = formatProgressLine(tracker.snapshot())
    if (live) {
      const width = output.stderr.columns ?? 120
      output.raw(`\r\x1b[K${line.length > width - 1 ? line.slice(0, width - 2) + "…" : line}`)
      shown = true
    } else {
      output.raw(line + "\n")
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
