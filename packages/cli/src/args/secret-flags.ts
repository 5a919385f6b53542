import { usageError } from "../cli-error.js"

/**
 * Flags that would put a secret on the command line, where it lands in shell history and in every
 * `ps` listing. Refused with a pointer to the safe alternatives rather than "unknown option".
 */
const secretFlags = ["--client-secret", "--secret", "--access-token", "--token", "--password"]

export const rejectSecretFlags = (argv: ReadonlyArray<string>): void => {
  for (const arg of argv) {
    if (arg === "--") return
    const name = arg.split("=", 1)[0]
    if (secretFlags.includes(name)) {
      throw usageError(
        `${name}: secrets are never accepted on the command line (they leak into shell history and ps); ` +
          "set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET, or pass --credentials <file>"
      )
    }
  }
}
