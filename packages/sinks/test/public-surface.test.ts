import { describe, expect, it } from "vitest"
import * as sinks from "../src/index.js"
import * as internal from "../src/internal.js"

describe("the public surface of @tikflow/sinks", () => {
  it("is the registry, the built-in sinks and the webhook receiver's helpers; columns, plugin checks and the work queue stay internal", () => {
    for (const name of ["resolveSink", "openSink", "createSinkRegistry", "bindSink", "parquetSink", "duckdbSink", "webhookSink", "verifySignature", "restoreNulFields", "toEffectSink"]) {
      expect(name in sinks, name).toBe(true)
    }
    for (const name of ["columnsOf", "assertColumnsHoldFields", "jsonText", "checkSinkPlugin", "displayName", "uriSecrets", "makeSinkRegistry", "PostgresWorkQueue", "LeaseLostError", "unescapeNul"]) {
      expect(name in sinks, name).toBe(false)
    }
    for (const name of Object.keys(sinks)) expect((internal as Record<string, unknown>)[name], name).toBe((sinks as Record<string, unknown>)[name])
  })
})
