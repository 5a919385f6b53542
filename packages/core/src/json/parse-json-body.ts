import * as Effect from "effect/Effect"
import { DecodeError } from "../errors/api-errors.js"
import { JsonSyntaxError, parseLosslessJson } from "./lossless-json.js"

/**
 * An API response body read losslessly, or a `DecodeError` for `endpoint` when it is not JSON
 * (truncated bodies, HTML from a gateway). The path is empty: the body as a whole is at fault.
 */
export const parseJsonBody = (text: string, endpoint: string): Effect.Effect<unknown, DecodeError> =>
  Effect.try({
    try: () => parseLosslessJson(text),
    catch: (error) =>
      new DecodeError({
        endpoint,
        path: "",
        message: error instanceof JsonSyntaxError ? error.message : `malformed JSON: ${String(error)}`
      })
  })

/** Synchronous {@link parseJsonBody}: throws the `DecodeError`. */
export const parseJsonBodySync = (text: string, endpoint: string): unknown => {
  try {
    return parseLosslessJson(text)
  } catch (error) {
    throw new DecodeError({
      endpoint,
      path: "",
      message: error instanceof JsonSyntaxError ? error.message : `malformed JSON: ${String(error)}`
    })
  }
}
