// The quota ledger's own cost: `requests` units taken and charged from a file ledger (the CLI's
// machine ledger), in blocks of `maxBlock` (1 = a locked, fsynced write per request, as before
// blocks). Reports CPU and wall time per request and how many locked writes reached the file.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const { requests, maxBlock } = paramsOf()
const core = await load("core")
const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-ledger-"))
try {
  let writes = 0
  const file = new core.Quota.FileStore(join(dir, "quota.json"))
  const store = {
    location: file.location,
    reserve: (r) => (writes++, file.reserve(r)),
    settle: (r) => (writes++, file.settle(r)),
    exhaust: (d, l) => file.exhaust(d, l),
    read: (d) => file.read(d)
  }
  const now = Date.now()
  emit(await measure(async () => {
    const ledger = new core.Quota.Ledger({ limit: 10_000_000, store, maxBlock })
    const cpu = process.cpuUsage()
    const started = performance.now()
    for (let i = 0; i < requests; i++) {
      const taken = await ledger.take(now)
      if (!taken.granted) throw new Error("refused")
      taken.ticket.charge()
    }
    await ledger.close()
    const used = process.cpuUsage(cpu)
    return {
      records: requests,
      lockedWrites: writes,
      cpuMicrosPerRequest: Math.round(((used.user + used.system) / requests) * 10) / 10,
      wallMicrosPerRequest: Math.round(((performance.now() - started) * 1000 / requests) * 10) / 10
    }
  }))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
