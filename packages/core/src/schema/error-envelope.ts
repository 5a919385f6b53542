import * as Schema from "effect/Schema"
import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import { asObject } from "./fast-fields.js"
import { decodeEffect, decodeWith } from "./decode-with.js"
import { optionalOrNull } from "./wire-values.js"

/**
 * The `error` object every research response carries: `code` is `"ok"` on success. Some responses
 * say `msg` instead of `message`; both decode to `message`.
 */
export interface ApiErrorEnvelope {
  readonly code: string
  readonly message: string
  readonly logId: string | null
}

export const WireErrorEnvelope = Schema.Struct({
  code: Schema.String,
  message: optionalOrNull(Schema.String),
  msg: optionalOrNull(Schema.String),
  log_id: optionalOrNull(Schema.String)
})

/** A body without an `error` object: treated as success, as the data decides. */
export const okEnvelope: ApiErrorEnvelope = { code: "ok", message: "", logId: null }

export const toEnvelope = (wire: typeof WireErrorEnvelope.Type | null): ApiErrorEnvelope =>
  wire === null ? okEnvelope : { code: wire.code, message: wire.message ?? wire.msg ?? "", logId: wire.log_id }

const optionalString = (value: unknown): string | null | undefined =>
  value === undefined || value === null ? null : typeof value === "string" ? value : undefined

/**
 * The one reader of an `error` object's fields. `strict` refuses (undefined) a `message`, `msg` or
 * `log_id` of another type, for the decoders to hand the body to the schema, which names the field;
 * otherwise such a field reads as absent, for classifying a failed response by what it does say.
 */
const readEnvelope = (raw: unknown, strict: boolean): ApiErrorEnvelope | undefined => {
  const wire = asObject(raw)
  if (wire === undefined || typeof wire.code !== "string") return undefined
  const message = optionalString(wire.message)
  const msg = optionalString(wire.msg)
  const logId = optionalString(wire.log_id)
  if (strict && (message === undefined || msg === undefined || logId === undefined)) return undefined
  return { code: wire.code, message: message ?? msg ?? "", logId: logId ?? null }
}

/** Fast path of the envelope: `undefined` defers to the schema. */
export const fastEnvelope = (raw: unknown): ApiErrorEnvelope | undefined =>
  raw === undefined || raw === null ? okEnvelope : readEnvelope(raw, true)

/**
 * The `error` object of any response body, leniently (a field of the wrong type reads as absent);
 * undefined when the body has no `error` object with a string `code`. For telling which failure a
 * response stands for, where a strict decode would only add a second failure.
 */
export const errorEnvelopeOf = (body: unknown): ApiErrorEnvelope | undefined => readEnvelope(asObject(body)?.error, false)

const ErrorBody = Schema.Struct({ error: WireErrorEnvelope })

/**
 * The error envelope of a non-ok response (`{error: {code, message|msg, log_id}}`), e.g. to map a
 * 400 `invalid_params` or a 429 to its tagged error. Fails when the body has no envelope.
 */
export const decodeErrorEnvelopeSync = (body: unknown, endpoint: string): ApiErrorEnvelope => {
  const fast = asObject(body)?.error
  const envelope = fast === undefined || fast === null ? undefined : fastEnvelope(fast)
  if (envelope !== undefined) return envelope
  return toEnvelope(decodeWith(ErrorBody, body, endpoint).error)
}

export const decodeErrorEnvelope = (body: unknown, endpoint: string): Effect.Effect<ApiErrorEnvelope, DecodeError> =>
  decodeEffect(() => decodeErrorEnvelopeSync(body, endpoint), endpoint)
