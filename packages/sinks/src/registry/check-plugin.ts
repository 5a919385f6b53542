import type { SinkPlugin } from "@tikflow/core/internal"
import { SINK_CONTRACT_VERSION, SUPPORTED_SINK_CONTRACTS } from "@tikflow/core/internal"

/**
 * Checks that a loaded value is a sink plugin of the contract version this tikflow implements.
 * `from` says where it came from, for the message.
 */
export const checkSinkPlugin = (value: unknown, from: string): SinkPlugin<unknown> => {
  const fail = (what: string): never => {
    throw new Error(`sink plugin ${from}: ${what}`)
  }
  if (typeof value !== "object" || value === null) return fail(`expected an object (the default export), got ${value === null ? "null" : typeof value}`)
  const plugin = value as Partial<Record<keyof SinkPlugin<unknown>, unknown>>
  if (typeof plugin.contract !== "number" || !SUPPORTED_SINK_CONTRACTS.includes(plugin.contract)) {
    const newer = typeof plugin.contract === "number" && plugin.contract > SINK_CONTRACT_VERSION
    return fail(
      `contract: expected ${SUPPORTED_SINK_CONTRACTS.slice(0, -1).join(", ")} or ${SUPPORTED_SINK_CONTRACTS.at(-1)} (the sink contracts this tikflow implements), got ${JSON.stringify(plugin.contract)}` +
        (newer ? " — upgrade tikflow for this plugin" : " — upgrade the plugin or tikflow so they agree")
    )
  }
  if (typeof plugin.name !== "string" || plugin.name.length === 0) fail(`name: expected a non-empty string, got ${JSON.stringify(plugin.name)}`)
  const schemes = plugin.schemes
  if (!Array.isArray(schemes) || schemes.length === 0 || !schemes.every((s) => typeof s === "string" && /^[a-z][a-z0-9+.-]*$/.test(s))) {
    fail(`schemes: expected a non-empty array of lower-case URI schemes, got ${JSON.stringify(schemes)}`)
  }
  const config = plugin.config as { parse?: unknown } | undefined
  if (typeof config !== "object" || config === null || typeof config.parse !== "function") fail("config: expected an object with a parse(target) function")
  if (typeof plugin.open !== "function") fail("open: expected a function open(context) returning a Promise of a writer")
  if (plugin.batchFormat !== undefined && plugin.batchFormat !== "records" && plugin.batchFormat !== "arrow") {
    fail(`batchFormat: expected "records" or "arrow", got ${JSON.stringify(plugin.batchFormat)}`)
  }
  return value as SinkPlugin<unknown>
}
