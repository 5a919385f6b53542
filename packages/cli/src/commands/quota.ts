import { loadClientKey } from "../args/credentials.js"
import { usageError } from "../cli-error.js"
import { ExitCode } from "../exit-codes.js"
import { formatDuration } from "../progress/format-progress.js"
import type { Command } from "./command.js"

export const quotaCommand: Command = {
  name: "quota",
  summary: "show the client's daily quota ledger: requests used today, held by running harvests, left, next reset",
  usage: "[--daily-quota N] [--quota-ledger PATH | --coordinator postgres://…]",
  details: [
    "There is one ledger per client key on this machine, $XDG_STATE_HOME/tikflow/quota/<hash of the key>.json",
    "(else ~/.local/state/tikflow/…), shared by every directory and process, so separate runs never exceed",
    "the API's 1,000 requests per day together; --quota-ledger PATH or TIKFLOW_QUOTA_LEDGER names another",
    "file. The key comes from TIKTOK_CLIENT_KEY or --credentials FILE (no secret needed). Running harvests",
    "reserve units in blocks of up to 10 and give back what they did not send when they end; a killed",
    "harvest strands at most one block, counted as used. The ledger resets at 00:00 UTC. With --coordinator",
    "postgres://… (or TIKFLOW_COORDINATOR) the ledger is a row per client key and day in that database,",
    "shared by every machine that names it."
  ].join("\n"),
  options: {},
  examples: [
    { description: "what is left of today's quota", command: "tikflow quota" },
    { description: "as JSON, for scripts", command: "tikflow quota --log-format json" }
  ],
  async run(input) {
    const { settings, output, env } = input
    const { readQuotaLeft } = await import("../harvest/quota-left.js")
    const quota = await readQuotaLeft(input, () => requiredClientKey(settings.credentialsFile, env))
    const now = settings.now()
    if (settings.logFormat === "json") {
      output.result(JSON.stringify({
        used: quota.used,
        reserved: quota.reserved,
        limit: quota.limit,
        left: quota.left,
        resetAt: quota.resetAt,
        ledger: quota.ledger
      }))
    } else {
      output.result([
        `quota ledger  ${quota.ledger}`,
        `used today    ${quota.used} of ${quota.limit} requests`,
        ...(quota.reserved > 0 ? [`reserved      ${quota.reserved} (held by running harvests, or stranded by a killed one)`] : []),
        `left          ${quota.left}`,
        `next reset    ${quota.resetAt} (in ${formatDuration(quota.resetAtMs - now)})`
      ].join("\n"))
    }
    return ExitCode.Done
  }
}

/** The machine's ledger is named by the client key: without one, say where tikflow looked. */
const requiredClientKey = (credentialsFile: string | undefined, env: NodeJS.ProcessEnv): string => {
  const clientKey = loadClientKey(credentialsFile, env)
  if (clientKey === undefined) {
    throw usageError(
      "quota: the ledger is kept per client key and none is set; set TIKTOK_CLIENT_KEY, pass --credentials FILE, or name the ledger with --quota-ledger PATH"
    )
  }
  return clientKey
}
