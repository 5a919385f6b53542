import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { DecodeError } from "../errors/api-errors.js"
import type { SchemaError } from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type { Result } from "effect/Result"
import { toDecodeError } from "./decode-failure.js"

type Decode = (input: unknown, options?: SchemaAST.ParseOptions) => Result<unknown, SchemaError>
const decoders = new WeakMap<object, Decode>()

/**
 * Decodes `input` with `schema`, throwing the `DecodeError` (path and message) on failure. The
 * message quotes the rejected value and names its record unless `reportInput` is false (bodies
 * holding secrets).
 */
export const decodeWith = <S extends Schema.Decoder<unknown>>(
  schema: S,
  input: unknown,
  endpoint: string,
  reportInput = true
): S["Type"] => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownResult(schema) as Decode
    decoders.set(schema, decode)
  }
  const result = decode(input, { reportInput })
  if (result._tag === "Failure") throw toDecodeError(result.failure, endpoint, reportInput ? { body: input } : undefined)
  return result.success as S["Type"]
}

/**
 * A synchronous decode as an Effect: its `DecodeError` becomes the failure; anything else thrown
 * (a bug, not bad input) is still reported as a `DecodeError` of `endpoint` rather than lost.
 */
export const decodeEffect = <A>(run: () => A, endpoint: string): Effect.Effect<A, DecodeError> =>
  Effect.try({
    try: run,
    catch: (error) =>
      error instanceof DecodeError
        ? error
        : new DecodeError({ endpoint, path: "", message: error instanceof Error ? error.message : String(error) })
  })
