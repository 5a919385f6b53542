/**
 * Scrubs secrets from anything tikflow prints: the client secret it was given, and anything shaped
 * like an access token (`clt.…`) or a bearer header, in case an upstream error message echoes one.
 */
export class Redactor {
  private readonly secrets = new Set<string>()

  add(secret: string): void {
    if (secret.length >= 4) this.secrets.add(secret)
  }

  redact(text: string): string {
    let result = text
    for (const secret of this.secrets) result = result.split(secret).join("***")
    return result
      .replace(/\bclt\.[A-Za-z0-9._~+/=-]+/g, "clt.***")
      .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1***")
      .replace(/(client_secret=)[^&\s"]+/g, "$1***")
  }
}
