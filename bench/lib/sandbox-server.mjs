// The sandbox in its own process, so its memory and CPU are not counted in a scenario's figures.
// argv[2]: SandboxOptions as JSON. Prints one JSON line {url, ...}; then answers stdin lines:
// `stats` → one JSON line of SandboxStats, `faults {json}` → setFaults, `stop` → exits.
import { createInterface } from "node:readline"
import { load } from "./dist.mjs"

const sandboxPkg = await load("sandbox")

const options = JSON.parse(process.argv[2] ?? "{}")
const sandbox = await sandboxPkg.startSandbox(options)
const snapshot = () => ({
  requests: { ...sandbox.stats.requests },
  faults: { ...sandbox.stats.faults },
  tokensIssued: sandbox.stats.tokensIssued,
  quotaRejections: sandbox.stats.quotaRejections
})
process.stdout.write(JSON.stringify({ url: sandbox.url, credentials: sandbox.credentials }) + "\n")
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...rest] = line.trim().split(" ")
  if (command === "stats") process.stdout.write(JSON.stringify(snapshot()) + "\n")
  else if (command === "faults") {
    sandbox.setFaults(JSON.parse(rest.join(" ")))
    process.stdout.write("{}\n")
  } else if (command === "stop") break
}
await sandbox.stop()
process.exit(0)
