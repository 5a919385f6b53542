import { readFileSync } from "node:fs"
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
  env: NodeJS.ProcessEnv
): Credentials => {
  if (file !== undefined) return readCredentialsFile(file)
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
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    throw usageError(`--credentials: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`)
  }
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
