import * as Effect from "effect/Effect"
import { DecodeError } from "../errors/api-errors.js"
import { JsonSyntaxError, parseLosslessJson, parseLosslessJsonBytes } from "./lossless-json.js"

/** A body's text, or its bytes as UTF-8 (parsed without decoding them to a text first). */
const parseBody = (body: string | Uint8Array): unknown =>
  typeof body === "string" ? parseLosslessJson(body) : parseLosslessJsonBytes(body)

/**
 * An API response body read losslessly, or a `DecodeError` for `endpoint` when it is not JSON
 * (truncated bodies, HTML from a gateway). The path is empty: the body as a whole is at fault.
 */
export const parseJsonBody = (body: string | Uint8Array, endpoint: string): Effect.Effect<unknown, DecodeError> =>
  Effect.try({
    try: () => parseBody(body),
    catch: (error) =>
      new DecodeError({
        endpoint,
        path: "",
        message: error instanceof JsonSyntaxError ? error.message : `malformed JSON: ${String(error)}`
      })
  })

/** Synchronous {@link parseJsonBody}: throws the `DecodeError`. */
export const parseJsonBodySync = (body: string | Uint8Array, endpoint: string): unknown => {
  try {
    return parseBody(body)
  } catch (error) {
    throw new DecodeError({
      endpoint,
      path: "",
      message: error instanceof JsonSyntaxError ? error.message : `malformed JSON: ${String(error)}`
    })
  }
}
