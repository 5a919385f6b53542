import { describe, expect, it } from "vitest"
import * as sources from "../src/index.js"
import * as internal from "../src/internal.js"

describe("the public surface of @tikflow/sources", () => {
  it("is the client, the sources and their helpers; transport, tokens and classification stay internal", () => {
    for (const name of ["createTikTokClient", "layerTikTokClient", "TikTokClient", "videoQuery", "userInfo", "comments", "followers", "recordsOf", "dateWindows", "toObservable", "commentsForVideos"]) {
      expect(name in sources, name).toBe(true)
    }
    for (const name of ["TokenProvider", "classifyResponse", "retryAfterMs", "checkBaseUrl", "isLoopbackHost", "HttpTransport", "TransportFailure", "harvestIdOf", "FIRST_API_DAY"]) {
      expect(name in sources, name).toBe(false)
    }
    // Everything public is in the internal entry too: one implementation behind both.
    for (const name of Object.keys(sources)) expect((internal as Record<string, unknown>)[name], name).toBe((sources as Record<string, unknown>)[name])
  })
})
