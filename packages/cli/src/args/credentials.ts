import { statSync } from "node:fs"
import { KiB, readBoundedText } from "../inputs/read-bounded-text.js"
import { CliError, usageError } from "../cli-error.js"
import { ExitCode } from "../exit-codes.js"

export interface Credentials {
  readonly clientKey: string
  readonly clientSecret: string
}

/**
 * Client credentials from `--credentials <file>` or, failing that, `TIKTOK_CLIENT_KEY` /
 * `TIKTOK_CLIENT_SECRET`. The file is JSON (`{"client_key": …, "client_secret": …}`) or
 * `KEY=value` lines. Errors name where tikflow looked, never the secret itself.
 */
export const loadCredentials = (
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  /** Told when the credentials file is readable by other users. */
  warn?: (message: string) => void
): Credentials => {
  if (file !== undefined) {
    const credentials = readCredentialsFile(file)
    if (warn !== undefined) warnIfShared(file, warn)
    return credentials
  }
  const clientKey = env.TIKTOK_CLIENT_KEY?.trim()
  const clientSecret = env.TIKTOK_CLIENT_SECRET?.trim()
  if (!clientKey || !clientSecret) {
    const missing = [!clientKey && "TIKTOK_CLIENT_KEY", !clientSecret && "TIKTOK_CLIENT_SECRET"].filter(Boolean).join(" and ")
    throw new CliError(
      `credentials: ${missing} not set; set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET, or pass --credentials <file>`,
      ExitCode.Usage
    )
  }
  return { clientKey, clientSecret }
}

/**
 * Only the client key, for commands that need no secret (`tikflow quota` finds the client's ledger
 * by it); undefined when neither `--credentials` nor `TIKTOK_CLIENT_KEY` gives one.
 */
export const loadClientKey = (file: string | undefined, env: NodeJS.ProcessEnv): string | undefined =>
  file !== undefined ? clientKeyOf(file, readCredentialsFields(file)) : env.TIKTOK_CLIENT_KEY?.trim() || undefined

const readCredentialsFields = (file: string): Record<string, unknown> => {
  const text = readBoundedText("--credentials", file, 64 * KiB)
  return text.trimStart().startsWith("{") ? jsonFields(file, text) : envFields(text)
}

const clientKeyOf = (file: string, fields: Record<string, unknown>): string => {
  const clientKey = fields.client_key ?? fields.clientKey ?? fields.TIKTOK_CLIENT_KEY
  if (typeof clientKey !== "string" || clientKey === "") {
    throw usageError(`--credentials: ${file} has no client_key (expected {"client_key": "…", "client_secret": "…"})`)
  }
  return clientKey
}

const readCredentialsFile = (file: string): Credentials => {
  const fields = readCredentialsFields(file)
  const clientKey = clientKeyOf(file, fields)
  const clientSecret = fields.client_secret ?? fields.clientSecret ?? fields.TIKTOK_CLIENT_SECRET
  if (typeof clientSecret !== "string" || clientSecret === "") {
    throw usageError(`--credentials: ${file} has no client_secret (expected {"client_key": "…", "client_secret": "…"})`)
  }
  return { clientKey, clientSecret }
}

const jsonFields = (file: string, text: string): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // reported below without echoing the content, which holds a secret
  }
  throw usageError(`--credentials: ${file} is not a JSON object (expected {"client_key": "…", "client_secret": "…"})`)
}

const envFields = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (match) fields[match[1]] = match[2].replace(/^(['"])(.*)\1$/, "$2")
  }
  return fields
}

/** A file holding a client secret should be readable by its owner only (`chmod 600`). */
const warnIfShared = (file: string, warn: (message: string) => void): void => {
  if (process.platform === "win32") return
  const mode = statSync(file, { throwIfNoEntry: false })?.mode
  if (mode === undefined || (mode & 0o077) === 0) return
  warn(`warning: --credentials: ${file} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); run chmod 600 ${file}`)
}
