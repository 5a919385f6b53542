import { createHmac, timingSafeEqual } from "node:crypto"

export const SIGNATURE_HEADER = "x-tikflow-signature"

/** `sha256=<hex HMAC-SHA256 of the exact body bytes with the shared secret>`. */
export const signBody = (secret: string, body: string | Uint8Array): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`

/** For receivers: checks an `X-Tikflow-Signature` header in constant time. */
export const verifySignature = (secret: string, body: string | Uint8Array, header: string | undefined | null): boolean => {
  if (typeof header !== "string") return false
  const expected = Buffer.from(signBody(secret, body))
  const got = Buffer.from(header)
  return expected.length === got.length && timingSafeEqual(expected, got)
}
