import type { GlobalSettings } from "../args/global-settings.js"
import type { Output } from "../output/output.js"
import { openCoordinatorQuota } from "./coordinator-quota.js"

/** The client's quota ledger today, as `tikflow quota` and `--dry-run` show it. */
export interface QuotaLeft {
  readonly used: number
  /** Held by running harvests (or stranded by a killed one). */
  readonly reserved: number
  readonly limit: number
  readonly left: number
  readonly resetAt: string
  readonly resetAtMs: number
  /** Where the ledger is: a file, or the coordinator's table. */
  readonly ledger: string
}

/**
 * Reads the client's ledger (the `--coordinator` database's, `--quota-ledger`'s or this machine's)
 * without reserving anything: no request and no unit is taken. `clientKey` is asked for only when
 * the ledger is named by it (the machine's, the coordinator's), not for a `--quota-ledger` file.
 */
export const readQuotaLeft = async (
  input: { readonly settings: GlobalSettings; readonly env: NodeJS.ProcessEnv; readonly output: Output },
  clientKey: () => string
): Promise<QuotaLeft> => {
  const { settings, env, output } = input
  const { QuotaLedger, machineQuotaLedgerPath } = await import("@tikflow/core/internal")
  const coordinator = settings.coordinator === undefined ? undefined : await openCoordinatorQuota(settings.coordinator, clientKey(), output)
  const ledger = coordinator?.location ?? settings.quotaLedgerPath ?? machineQuotaLedgerPath(clientKey(), env)
  const now = settings.now()
  const snapshot = await new QuotaLedger({ limit: settings.dailyQuota, path: ledger, store: coordinator })
    .snapshot(now)
    .finally(() => coordinator?.close())
  return {
    used: snapshot.used,
    reserved: snapshot.reserved,
    limit: snapshot.limit,
    left: Math.max(0, snapshot.limit - snapshot.used - snapshot.reserved),
    resetAt: snapshot.resetAt,
    resetAtMs: snapshot.resetAtMs,
    ledger
  }
}
