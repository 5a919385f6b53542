// The fault names alone: the sandbox itself loads only when this command runs.
import { faultKinds } from "@tikflow/sandbox/fault-kinds"
import { parseFaultRates } from "../args/fault-rates.js"
import { parseIntegerIn } from "../args/numbers.js"
import { ExitCode } from "../exit-codes.js"
import type { Command } from "./command.js"

export const sandboxCommand: Command = {
  name: "sandbox",
  summary: "run the embedded Research API (a seeded synthetic world) until Ctrl-C",
  usage: "[--port N] [--seed N] [--faults KIND=RATE,…] [--latency MS] [--users N] [--videos N] [--daily-requests N]",
  details: [
    "Everything tikflow does works offline against it: point TIKFLOW_BASE_URL at the printed URL and",
    "use the printed sandbox credentials. Its world starts on 2024-01-01 and spans --days days; accounts",
    "are user_00001, user_00002, …. Faults reproduce the real API's failures at the given rates:",
    `  ${faultKinds.join(", ")}`,
    "Stopping it with Ctrl-C (SIGINT) or SIGTERM is its normal end: exit code 0."
  ].join("\n"),
  options: {
    port: { type: "string", value: "N", description: "port on 127.0.0.1 (default: any free port)" },
    seed: { type: "string", value: "N", description: "seed of the world and of every random decision (default 1)" },
    faults: { type: "string", value: "KIND=RATE,…", description: "fault rates 0..1, e.g. serverError=0.05,rateLimit=0.02" },
    latency: { type: "string", value: "MS", description: "delay before every research answer, like the real API's latency (default 0)" },
    users: { type: "string", value: "N", description: "accounts in the world (default 1000)" },
    videos: { type: "string", value: "N", description: "videos in the world (default 20000)" },
    days: { type: "string", value: "N", description: "days the world spans from 2024-01-01 (default 90)" },
    "daily-requests": { type: "string", value: "N", description: "research requests per client per UTC day (default 1000)" }
  },
  examples: [
    {
      description: "a sandbox with 5% server errors and 2% rate limiting",
      command: "tikflow sandbox --port 0 --faults serverError=0.05,rateLimit=0.02",
      untilOutput: "TIKTOK_CLIENT_SECRET="
    }
  ],
  async run({ values, output, signal }) {
    const faults = values.faults === undefined ? {} : parseFaultRates("--faults", values.faults as string, faultKinds)
    const { startSandbox } = await import("@tikflow/sandbox")
    const sandbox = await startSandbox({
      port: parseIntegerIn("--port", values.port as string | undefined, 0, 0, 65535),
      seed: parseIntegerIn("--seed", values.seed as string | undefined, 1, 0, 2 ** 32 - 1),
      faults,
      latencyMs: parseIntegerIn("--latency", values.latency as string | undefined, 0, 0, 60_000),
      world: {
        ...(values.users !== undefined ? { users: parseIntegerIn("--users", values.users as string, 1000, 1, 9_999_999) } : {}),
        ...(values.videos !== undefined ? { videos: parseIntegerIn("--videos", values.videos as string, 20000, 1, 1_000_000_000) } : {}),
        ...(values.days !== undefined ? { days: parseIntegerIn("--days", values.days as string, 90, 1, 3650) } : {})
      },
      ...(values["daily-requests"] !== undefined
        ? { quotaPerDay: parseIntegerIn("--daily-requests", values["daily-requests"] as string, 1000, 0, 100_000_000) }
        : {})
    })
    const faultText = Object.entries(faults).map(([kind, rate]) => `${kind}=${rate}`).join(",") || "none"
    output.result([
      `tikflow sandbox listening on ${sandbox.url} (seed ${sandbox.seed}, faults: ${faultText})`,
      "Use it from another shell:",
      `  export TIKFLOW_BASE_URL=${sandbox.url}`,
      `  export TIKTOK_CLIENT_KEY=${sandbox.credentials.clientKey}`,
      `  export TIKTOK_CLIENT_SECRET=${sandbox.credentials.clientSecret}`,
      "Press Ctrl-C to stop."
    ].join("\n"))
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve()
      else signal.addEventListener("abort", () => resolve(), { once: true })
    })
    await sandbox.stop()
    const requests = Object.values(sandbox.stats.requests as Record<string, number>).reduce((sum, n) => sum + n, 0)
    output.notice(`sandbox stopped after ${requests} requests`)
    return ExitCode.Done
  }
}
