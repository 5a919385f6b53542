// Module resolution hooks (they run on Node's loader thread): note each resolved URL, nothing else.
import { appendFileSync } from "node:fs"

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context)
  if (process.env.TIKFLOW_TEST_MODULE_TRACE) appendFileSync(process.env.TIKFLOW_TEST_MODULE_TRACE, `${result.url}\n`)
  return result
}
