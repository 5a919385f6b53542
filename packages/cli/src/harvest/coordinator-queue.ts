import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import type { Output } from "../output/output.js"

/**
 * The work queue in the `--coordinator` database. Its password joins the output's redactor first;
 * the PostgreSQL client loads only when a coordinator is named.
 */
export const openCoordinatorQueue = async (uri: string, output: Output): Promise<PostgresWorkQueue> => {
  const { PostgresWorkQueue, uriSecrets } = await import("@tikflow/sinks/internal")
  for (const secret of uriSecrets(uri)) output.redactor.add(secret)
  try {
    return await PostgresWorkQueue.open(uri)
  } catch (error) {
    throw new Error(`--coordinator: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`, { cause: error })
  }
}
