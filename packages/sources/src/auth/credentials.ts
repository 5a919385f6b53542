import { AuthError } from "@tikflow/core/internal"

/** Client credentials as a user supplies them (config, or env `TIKTOK_CLIENT_KEY`/`TIKTOK_CLIENT_SECRET`). */
export interface ClientCredentialsInput {
  readonly clientKey?: string | undefined
  readonly clientSecret?: string | undefined
}

const REDACTED = "<redacted>"

/**
 * Resolved client credentials. The secret lives in a private field and every way of printing the
 * object (toString, JSON, util.inspect) shows it redacted.
 */
export class ClientCredentials {
  readonly #secret: string
  constructor(readonly clientKey: string, clientSecret: string) {
    this.#secret = clientSecret
  }
  /** The secret, for the token request body only. */
  revealSecret(): string {
    return this.#secret
  }
  toString(): string {
    return `ClientCredentials(clientKey=${this.clientKey}, clientSecret=${REDACTED})`
  }
  toJSON(): unknown {
    return { clientKey: this.clientKey, clientSecret: REDACTED }
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }
}

/** Config first, then the environment; missing either part is `AuthError(missing_credentials)`. */
export const resolveCredentials = (
  input: ClientCredentialsInput | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env
): ClientCredentials | AuthError => {
  const clientKey = input?.clientKey ?? env.TIKTOK_CLIENT_KEY
  const clientSecret = input?.clientSecret ?? env.TIKTOK_CLIENT_SECRET
  const missing = [
    ...(clientKey ? [] : ["credentials.clientKey (or TIKTOK_CLIENT_KEY)"]),
    ...(clientSecret ? [] : ["credentials.clientSecret (or TIKTOK_CLIENT_SECRET)"])
  ]
  if (missing.length > 0 || !clientKey || !clientSecret) {
    return new AuthError({ reason: "missing_credentials", message: `missing ${missing.join(" and ")}` })
  }
  return new ClientCredentials(clientKey, clientSecret)
}
