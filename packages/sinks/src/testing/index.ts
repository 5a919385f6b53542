import type { SinkPlugin } from "@tikflow/core/internal"
import { describe, it } from "vitest"
import { checkSinkPlugin } from "../registry/check-plugin.js"
import type { SinkContractOptions } from "./run-contract.js"
import { runSinkContract } from "./run-contract.js"
import { runDayReplacementContract } from "./run-replacement.js"
import { runChangedValuesContract } from "./run-changed-values.js"

export type { ContractOutput, SinkContractOptions } from "./run-contract.js"
export { runSinkContract } from "./run-contract.js"
export { runDayReplacementContract } from "./run-replacement.js"
export { runChangedValuesContract } from "./run-changed-values.js"
export type { ReplacementScenario } from "./replacement-scenario.js"
export { replacementScenarioArb } from "./replacement-scenario.js"
export type { ContractEpoch, ContractScenario, EpochFate } from "./contract-scenario.js"
export { contractScenarioArb } from "./contract-scenario.js"

/**
 * The sink contract suite, for a plugin's own vitest file:
 *
 * ```ts
 * import { testSinkPlugin } from "@tikflow/sinks/testing"
 * testSinkPlugin(plugin, { read: ({ dir, stream }) => readMyOutput(dir, stream) })
 * ```
 *
 * A contract 3 plugin is also checked for `replaceDays` (provisional days fetched again replace
 * their earlier rows; `read` then returns `id` and `like_count`), unless `replacesDays: false`
 * says it keeps them (as a webhook must). Every plugin is checked for what `write` says it stored
 * changed (lone surrogates, U+0000): counted when the rows `read` returns carry `username`.
 */
export const testSinkPlugin = (
  plugin: SinkPlugin<any>,
  options: SinkContractOptions & { readonly timeout?: number; readonly replacesDays?: boolean }
): void => {
  describe(`sink contract: ${plugin?.name ?? "(unnamed)"}`, () => {
    it("is a plugin of a contract version this tikflow loads", () => {
      checkSinkPlugin(plugin, plugin?.name ?? "(unnamed)")
    })
    it("lands every record exactly once across crashes and resumes", () => runSinkContract(plugin, options), options.timeout ?? 120_000)
    it("says which values it stored changed", () => runChangedValuesContract(plugin, options), options.timeout ?? 120_000)
    if (plugin?.contract === 3 && options.replacesDays !== false) {
      it("replaces the rows of days fetched again, across crashes and resumes", () => runDayReplacementContract(plugin, options), options.timeout ?? 120_000)
    }
  })
}
