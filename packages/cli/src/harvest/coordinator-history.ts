import type { HistoryStore } from "@tikflow/core/internal"
import type { Output } from "../output/output.js"
import { historyStoreOf } from "./harvest-history.js"
import { settleDeadRuns } from "./run-journal.js"

export interface OpenHistory {
  readonly store: HistoryStore
  close(): Promise<void>
}

/**
 * The harvest history a command reads and writes: the `--coordinator` database's when one is
 * named (the team's, shared by every machine), else `<state>/history/`. The coordinator's password
 * joins the output's redactor first; the PostgreSQL client loads only then. Runs of this machine
 * killed earlier (SIGKILL, a crash) are settled from their journals before anyone reads it.
 */
export const openHistory = async (settings: { readonly stateDir: string; readonly coordinator: string | undefined }, output: Output): Promise<OpenHistory> => {
  const opened = await openStore(settings, output)
  try {
    await settleDeadRuns(settings.stateDir, opened.store, (message) => output.notice(message))
  } catch (error) {
    await opened.close()
    throw error
  }
  return opened
}

const openStore = async (settings: { readonly stateDir: string; readonly coordinator: string | undefined }, output: Output): Promise<OpenHistory> => {
  if (settings.coordinator === undefined) return { store: historyStoreOf(settings.stateDir), close: async () => undefined }
  const { PostgresHistoryStore, uriSecrets } = await import("@tikflow/sinks/internal")
  for (const secret of uriSecrets(settings.coordinator)) output.redactor.add(secret)
  try {
    const store = await PostgresHistoryStore.open(settings.coordinator)
    return { store, close: () => store.close() }
  } catch (error) {
    throw new Error(`--coordinator: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`, { cause: error })
  }
}
