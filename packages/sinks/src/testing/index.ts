import type { SinkPlugin } from "@tikflow/core/internal"
import { describe, it } from "vitest"
import { checkSinkPlugin } from "../registry/check-plugin.js"
import type { SinkContractOptions } from "./run-contract.js"
import { runSinkContract } from "./run-contract.js"

export type { ContractOutput, SinkContractOptions } from "./run-contract.js"
export { runSinkContract } from "./run-contract.js"
export type { ContractEpoch, ContractScenario, EpochFate } from "./contract-scenario.js"
export { contractScenarioArb } from "./contract-scenario.js"

/**
 * The sink contract suite, for a plugin's own vitest file:
 *
 * ```ts
 * import { testSinkPlugin } from "@tikflow/sinks/testing"
 * testSinkPlugin(plugin, { read: ({ dir, stream }) => readMyOutput(dir, stream) })
 * ```
 */
export const testSinkPlugin = (plugin: SinkPlugin<any>, options: SinkContractOptions & { readonly timeout?: number }): void => {
  describe(`sink contract: ${plugin?.name ?? "(unnamed)"}`, () => {
    it("is a plugin of a contract version this tikflow loads", () => {
      checkSinkPlugin(plugin, plugin?.name ?? "(unnamed)")
    })
    it("lands every record exactly once across crashes and resumes", () => runSinkContract(plugin, options), options.timeout ?? 120_000)
  })
}
