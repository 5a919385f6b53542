import * as Schema from "effect/Schema"
import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import { decodeEffect, decodeWith } from "./decode-with.js"
import { asObject } from "./fast-fields.js"
import { researchEndpoints } from "./research-endpoints.js"
import { WireCount, optionalOrNull } from "./wire-values.js"

/** `POST /v2/oauth/token/` success: `{access_token, expires_in, token_type}`. */
export const TokenSuccess = Schema.Struct({
  access_token: Schema.String,
  expires_in: WireCount,
  token_type: optionalOrNull(Schema.String)
})

/** Token failure, flat (not the research envelope): `{error, error_description, log_id}`. */
export const TokenFailure = Schema.Struct({
  error: Schema.String,
  error_description: optionalOrNull(Schema.String),
  log_id: optionalOrNull(Schema.String)
})

export type TokenResponse =
  | { readonly _tag: "Token"; readonly accessToken: string; readonly expiresInSeconds: number; readonly tokenType: string }
  | { readonly _tag: "TokenRefused"; readonly error: string; readonly description: string; readonly logId: string | null }

/** A token endpoint body, success or refusal. Decode failures never quote the body (it holds the token). */
export const decodeTokenResponseSync = (body: unknown, endpoint: string = researchEndpoints.token): TokenResponse => {
  const root = asObject(body)
  if (root !== undefined && root.access_token === undefined && root.error !== undefined) {
    const failure = decodeWith(TokenFailure, body, endpoint, false)
    return {
      _tag: "TokenRefused",
      error: failure.error,
      description: failure.error_description ?? "",
      logId: failure.log_id
    }
  }
  const success = decodeWith(TokenSuccess, body, endpoint, false)
  return {
    _tag: "Token",
    accessToken: success.access_token,
    expiresInSeconds: success.expires_in,
    tokenType: success.token_type ?? "Bearer"
  }
}

export const decodeTokenResponse = (
  body: unknown,
  endpoint: string = researchEndpoints.token
): Effect.Effect<TokenResponse, DecodeError> =>
  decodeEffect(() => decodeTokenResponseSync(body, endpoint), endpoint)

/** The form body of a client-credentials token request. */
export const encodeTokenRequest = (credentials: { readonly clientKey: string; readonly clientSecret: string }): string =>
  new URLSearchParams({
    client_key: credentials.clientKey,
    client_secret: credentials.clientSecret,
    grant_type: "client_credentials"
  }).toString()
