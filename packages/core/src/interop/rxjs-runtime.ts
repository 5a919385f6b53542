import { createRequire } from "node:module"

type Rx = typeof import("rxjs")

let loaded: Rx | undefined

/**
 * RxJS, loaded on first use. Most runs (every CLI harvest) never touch an Observable, and loading
 * rxjs (~220 modules) at import time was a fifth of the CLI's start-up. Under Node `import "rxjs"`
 * resolves to the same CommonJS build this requires, so Observables made here are the ones an
 * application's own `import` of rxjs knows.
 */
export const rxjs = (): Rx => (loaded ??= createRequire(import.meta.url)("rxjs") as Rx)
