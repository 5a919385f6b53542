import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  decodeCommentListResponseSync,
  DecodeError,
  decodeErrorEnvelopeSync,
  decodeSocialListResponseSync,
  decodeTokenResponseSync,
  decodeUserInfoResponseSync,
  decodeUserVideoListResponseSync,
  decodeVideoQueryResponseSync,
  parseJsonBody
} from "../../packages/core/src/internal.js"
import { badBodyText, fixtureTexts } from "./support/fuzz-inputs.js"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"

const runs = bySize(400, 5_000)

const decoders: ReadonlyArray<readonly [string, (body: unknown) => unknown]> = [
  ["video query", (b) => decodeVideoQueryResponseSync(b)],
  ["comment list", (b) => decodeCommentListResponseSync(b)],
  ["user info", (b) => decodeUserInfoResponseSync(b, "user_00001")],
  ["followers", (b) => decodeSocialListResponseSync(b, "follower", "user_00001")],
  ["following", (b) => decodeSocialListResponseSync(b, "following", "user_00001")],
  ["liked videos", (b) => decodeUserVideoListResponseSync(b, "liked", "user_00001")],
  ["pinned videos", (b) => decodeUserVideoListResponseSync(b, "pinned", "user_00001")],
  ["reposted videos", (b) => decodeUserVideoListResponseSync(b, "reposted", "user_00001")],
  ["token", (b) => decodeTokenResponseSync(b)],
  ["error envelope", (b) => decodeErrorEnvelopeSync(b, "/v2/research/video/query/")]
]

/** Runs `f`: fine when it returns or throws a one-line `DecodeError`; anything else is a finding. */
const typedOrFine = (label: string, f: () => unknown): string | undefined => {
  try {
    f()
    return undefined
  } catch (error) {
    if (!(error instanceof DecodeError)) return `${label}: threw ${(error as Error)?.name ?? typeof error}: ${String((error as Error)?.message ?? error).slice(0, 200)}`
    if (error.message.includes("\n")) return `${label}: DecodeError message spans lines: ${error.message.slice(0, 200)}`
    return undefined
  }
}

describe(`response decoders under fuzzed bodies (${mode})`, () => {
  it("the recorded bodies decode (the mutations start from valid input)", () => {
    expect(fixtureTexts.length).toBeGreaterThan(3)
    const page = decodeVideoQueryResponseSync(parseJsonBody(fixtureTexts.find((t) => t.includes('"videos"'))!, "/v2/research/video/query/"))
    expect(page.records.length).toBeGreaterThan(0)
  })

  it("never throw anything but a typed DecodeError, whatever the body", () => {
    let fuzzed = 0
    let rejected = 0
    fc.assert(
      fc.property(badBodyText, (text) => {
        fuzzed++
        let body: unknown
        const parse = typedOrFine("lossless JSON parser", () => {
          body = parseJsonBody(text, "/v2/research/video/query/")
        })
        expect(parse).toBeUndefined()
        if (body === undefined) {
          rejected++
          return
        }
        for (const [name, decode] of decoders) expect(typedOrFine(name, () => decode(body))).toBeUndefined()
      }),
      { numRuns: runs }
    )
    recordPart("decoderFuzz", {
      title: "Bad input: response decoders",
      lines: [
        `${fuzzed} fuzzed response bodies (truncated, characters inserted/removed, fields of the wrong type at any depth, any JSON, binary strings, multi-MB strings, nesting up to 200,000 deep, gateway HTML) through the lossless JSON parser and all ${decoders.length} endpoint decoders`,
        `${rejected} rejected by the parser, the rest decoded or rejected per decoder — every rejection a one-line typed DecodeError, no other exception, no crash`
      ],
      figures: { fuzzed, rejectedByParser: rejected, decoders: decoders.length }
    })
  })
})
