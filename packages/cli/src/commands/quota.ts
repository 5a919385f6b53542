import { ExitCode } from "../exit-codes.js"
import { formatDuration } from "../progress/format-progress.js"
import type { Command } from "./command.js"

export const quotaCommand: Command = {
  name: "quota",
  summary: "show the daily quota ledger: requests used today, left, next reset",
  usage: "[--daily-quota N] [--state DIR]",
  details: [
    "The ledger lives in the state directory (quota.json) and is shared by every run using it, so",
    "separate runs never exceed the API's 1,000 requests per day together. It resets at 00:00 UTC."
  ].join("\n"),
  options: {},
  examples: [
    { description: "what is left of today's quota", command: "tikflow quota" },
    { description: "as JSON, for scripts", command: "tikflow quota --log-format json" }
  ],
  async run({ settings, output }) {
    const { QuotaLedger } = await import("@tikflow/core")
    const ledger = new QuotaLedger({ limit: settings.dailyQuota, path: settings.quotaLedgerPath })
    const now = settings.now()
    const snapshot = await ledger.snapshot(now)
    const left = Math.max(0, snapshot.limit - snapshot.used)
    if (settings.logFormat === "json") {
      output.result(JSON.stringify({
        used: snapshot.used,
        limit: snapshot.limit,
        left,
        resetAt: snapshot.resetAt,
        ledger: settings.quotaLedgerPath
      }))
    } else {
      output.result([
        `quota ledger  ${settings.quotaLedgerPath}`,
        `used today    ${snapshot.used} of ${snapshot.limit} requests`,
        `left          ${left}`,
        `next reset    ${snapshot.resetAt} (in ${formatDuration(snapshot.resetAtMs - now)})`
      ].join("\n"))
    }
    return ExitCode.Done
  }
}
