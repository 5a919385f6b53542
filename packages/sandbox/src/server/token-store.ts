import { randomBytes } from "node:crypto"

interface IssuedToken {
  readonly clientKey: string
  readonly expiresAt: number
  revoked: boolean
}

/** Access tokens the sandbox has issued: `clt.` + random, valid until `expiresAt` on the sandbox clock. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>()
  issued = 0

  issue(clientKey: string, now: number, lifetimeSeconds: number): string {
    const token = "clt." + randomBytes(24).toString("base64url")
    if (this.tokens.size > 10_000) this.prune(now)
    this.tokens.set(token, { clientKey, expiresAt: now + lifetimeSeconds * 1000, revoked: false })
    this.issued++
    return token
  }

  /** The client key a valid token belongs to, or undefined (missing, unknown, expired, revoked). */
  verify(token: string | undefined, now: number): string | undefined {
    if (token === undefined) return undefined
    const entry = this.tokens.get(token)
    if (entry === undefined || entry.revoked || entry.expiresAt <= now) return undefined
    return entry.clientKey
  }

  /** Ends a token early (the `tokenExpiry` fault). */
  revoke(token: string): void {
    const entry = this.tokens.get(token)
    if (entry) entry.revoked = true
  }

  private prune(now: number): void {
    for (const [token, entry] of this.tokens) if (entry.revoked || entry.expiresAt <= now) this.tokens.delete(token)
  }
}
