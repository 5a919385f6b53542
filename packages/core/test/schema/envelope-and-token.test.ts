import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { decodeErrorEnvelope, decodeErrorEnvelopeSync, errorEnvelopeOf } from "../../src/schema/error-envelope.js"
import { decodeTokenResponse, decodeTokenResponseSync, encodeTokenRequest } from "../../src/schema/token.js"

describe("decodeErrorEnvelope", () => {
  it("reads message or msg, and the log id", () => {
    expect(decodeErrorEnvelopeSync({ error: { code: "invalid_params", message: "bad date", log_id: "L1" } }, "/e/")).toEqual({
      code: "invalid_params",
      message: "bad date",
      logId: "L1"
    })
    expect(decodeErrorEnvelopeSync({ error: { code: "rate_limit_exceeded", msg: "slow down" }, data: {} }, "/e/")).toEqual({
      code: "rate_limit_exceeded",
      message: "slow down",
      logId: null
    })
  })

  it("fails when there is no envelope, naming the path", async () => {
    const error = await Effect.runPromise(Effect.flip(decodeErrorEnvelope({ message: "nope" }, "/v2/research/video/query/")))
    expect(error).toMatchObject({ _tag: "DecodeError", path: "error", message: "error: missing key", endpoint: "/v2/research/video/query/" })
    expect(() => decodeErrorEnvelopeSync({ error: { code: 500 } }, "/e/")).toThrow("error.code: expected string, got 500")
  })
})

describe("errorEnvelopeOf", () => {
  it("reads the same fields as the decoder, leniently: a field of the wrong type reads as absent", () => {
    expect(errorEnvelopeOf({ error: { code: "invalid_params", message: "bad date", log_id: "L1" } }))
      .toEqual(decodeErrorEnvelopeSync({ error: { code: "invalid_params", message: "bad date", log_id: "L1" } }, "/e/"))
    expect(errorEnvelopeOf({ error: { code: "internal_error", message: 5, msg: "down", log_id: 7 } }))
      .toEqual({ code: "internal_error", message: "down", logId: null })
    expect(errorEnvelopeOf({ error: { code: "x", message: "", msg: "ignored" } })).toEqual({ code: "x", message: "", logId: null })
  })

  it("is undefined without an error object carrying a string code", () => {
    for (const body of [undefined, null, "text", [], {}, { error: null }, { error: "oops" }, { error: { code: 500 } }]) {
      expect(errorEnvelopeOf(body)).toBeUndefined()
    }
  })
})

describe("decodeTokenResponse", () => {
  it("decodes a token", async () => {
    expect(await Effect.runPromise(decodeTokenResponse({ access_token: "clt.abc", expires_in: 7200, token_type: "Bearer" }))).toEqual({
      _tag: "Token",
      accessToken: "clt.abc",
      expiresInSeconds: 7200,
      tokenType: "Bearer"
    })
  })

  it("decodes the flat refusal", () => {
    expect(decodeTokenResponseSync({ error: "invalid_client", error_description: "Client key is invalid", log_id: "L" })).toEqual({
      _tag: "TokenRefused",
      error: "invalid_client",
      description: "Client key is invalid",
      logId: "L"
    })
  })

  it("never quotes the body in a decode error (it may hold the token)", () => {
    try {
      decodeTokenResponseSync({ access_token: 12345, expires_in: 7200 })
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ _tag: "DecodeError", path: "access_token", endpoint: "/v2/oauth/token/" })
      expect((error as Error).message).not.toContain("12345")
    }
    expect(() => decodeTokenResponseSync({ access_token: "clt.secret", expires_in: "soon" })).toThrow(
      expect.objectContaining({ path: "expires_in" })
    )
  })

  it("encodes the client-credentials form", () => {
    expect(encodeTokenRequest({ clientKey: "k&1", clientSecret: "s=2" })).toBe(
      "client_key=k%261&client_secret=s%3D2&grant_type=client_credentials"
    )
  })
})
