import { loadClientKey } from "../args/credentials.js"
import { usageError } from "../cli-error.js"
import { ExitCode } from "../exit-codes.js"
import { openCoordinatorQuota } from "../harvest/coordinator-quota.js"
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
  async run({ settings, output, env }) {
    const { QuotaLedger, machineQuotaLedgerPath } = await import("@tikflow/core")
    const coordinator = settings.coordinator === undefined
      ? undefined
      : await openCoordinatorQuota(settings.coordinator, requiredClientKey(settings.credentialsFile, env), output)
    const path = coordinator?.location ?? settings.quotaLedgerPath ?? machineQuotaLedgerPath(requiredClientKey(settings.credentialsFile, env), env)
    const ledger = new QuotaLedger({ limit: settings.dailyQuota, path, store: coordinator })
    const now = settings.now()
    const snapshot = await ledger.snapshot(now).finally(() => coordinator?.close())
    const left = Math.max(0, snapshot.limit - snapshot.used - snapshot.reserved)
    if (settings.logFormat === "json") {
      output.result(JSON.stringify({
        used: snapshot.used,
        reserved: snapshot.reserved,
        limit: snapshot.limit,
        left,
        resetAt: snapshot.resetAt,
        ledger: path
      }))
    } else {
      output.result([
        `quota ledger  ${path}`,
        `used today    ${snapshot.used} of ${snapshot.limit} requests`,
        ...(snapshot.reserved > 0 ? [`reserved      ${snapshot.reserved} (held by running harvests, or stranded by a killed one)`] : []),
        `left          ${left}`,
        `next reset    ${snapshot.resetAt} (in ${formatDuration(snapshot.resetAtMs - now)})`
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
