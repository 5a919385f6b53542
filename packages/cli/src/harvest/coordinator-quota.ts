import type { QuotaStore } from "@tikflow/core/internal"
import { clientKeyHash } from "@tikflow/core/internal"
import type { Output } from "../output/output.js"

export type CoordinatorQuota = QuotaStore & { close(): Promise<void> }

/**
 * The quota ledger in the `--coordinator` database, for `clientKey` (stored as its hash). Its
 * password joins the output's redactor first; the PostgreSQL client loads only when one is named.
 */
export const openCoordinatorQuota = async (uri: string, clientKey: string, output: Output): Promise<CoordinatorQuota> => {
  const { PostgresQuotaStore, uriSecrets } = await import("@tikflow/sinks/internal")
  for (const secret of uriSecrets(uri)) output.redactor.add(secret)
  try {
    return await PostgresQuotaStore.open(uri, clientKeyHash(clientKey))
  } catch (error) {
    throw new Error(`--coordinator: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`, { cause: error })
  }
}
