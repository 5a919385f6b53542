import v8 from "node:v8"
import { userSetV8Flag } from "./user-v8-flags.js"

/**
 * How much of a WebAssembly function V8 runs in its baseline code (Liftoff; "bytes executed")
 * before optimizing it on a background thread (TurboFan). A run loads two WebAssembly modules:
 * parquet-wasm and undici's HTTP parser (llhttp). At V8's default (1.8 MB) most of the functions a
 * Parquet run calls are optimized during its first batches, a compile that costs more CPU than the
 * faster code saves unless the run is long; at 20 MB only the hottest are, later (bench/findings.md:
 * 50k videos into Parquet, ~130 ms of CPU less; 500k the same). Part of llhttp then stays in
 * baseline code (3–4% of the main thread at 200k); the default budget measured no less CPU in all.
 */
export const WASM_TIERING_BUDGET = 20_000_000

const USER_TIERING_FLAG = /--(no-)?(wasm-tiering-budget|wasm-tier-up|wasm-dynamic-tiering|liftoff)\b/

/** The flag the CLI sets, or undefined when the user chose how WebAssembly tiers up (their flags win). */
export const wasmTieringFlag = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined): string | undefined =>
  userSetV8Flag(USER_TIERING_FLAG, execArgv, nodeOptions) ? undefined : `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`

/**
 * Sets the budget from inside the process, before anything is compiled: V8 reads it when a
 * WebAssembly module is instantiated (the Parquet encoder thread shares the process's flags).
 */
export const delayWasmTierUp = (): void => {
  const flag = wasmTieringFlag(process.execArgv, process.env.NODE_OPTIONS)
  if (flag !== undefined) v8.setFlagsFromString(flag)
}
