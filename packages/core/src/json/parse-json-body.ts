import { DecodeError } from "../errors/api-errors.js"
import { JsonSyntaxError, parseLosslessJson, parseLosslessJsonBytes } from "./lossless-json.js"

/**
 * An API response body read losslessly: its text, or its bytes as UTF-8 (parsed without decoding
 * them to a text first). Throws a `DecodeError` for `endpoint` when it is not JSON (truncated
 * bodies, HTML from a gateway); its path is empty: the body as a whole is at fault.
 */
export const parseJsonBody = (body: string | Uint8Array, endpoint: string): unknown => {
  try {
    return typeof body === "string" ? parseLosslessJson(body) : parseLosslessJsonBytes(body)
  } catch (error) {
    throw new DecodeError({
      endpoint,
      path: "",
      message: error instanceof JsonSyntaxError ? error.message : `malformed JSON: ${String(error)}`
    })
  }
}
