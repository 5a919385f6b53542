import { createHash } from "node:crypto"
import { homedir } from "node:os"
import { isAbsolute, join } from "node:path"

/** A client key's name on disk: a hash, so the key itself is never written (16 hex digits of SHA-256). */
export const clientKeyHash = (clientKey: string): string =>
  createHash("sha256").update(`tikflow-quota:${clientKey}`).digest("hex").slice(0, 16)

/** `$XDG_STATE_HOME/tikflow`, else `~/.local/state/tikflow` (a relative XDG_STATE_HOME is ignored, as the spec says). */
export const userStateDir = (env: Readonly<Record<string, string | undefined>> = process.env): string => {
  const xdg = env.XDG_STATE_HOME
  const base = xdg !== undefined && xdg !== "" && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".local", "state")
  return join(base, "tikflow")
}

/**
 * The machine's quota ledger of one client: `<user state dir>/quota/<hash of the key>.json`,
 * shared by every directory and process harvesting with that key (the API counts per client).
 */
export const machineQuotaLedgerPath = (
  clientKey: string,
  env: Readonly<Record<string, string | undefined>> = process.env
): string => join(userStateDir(env), "quota", `${clientKeyHash(clientKey)}.json`)
