import { resolve } from "node:path"
import type { Command } from "./command.js"
import { sinkOptions, sinksFromFlags, transformsFromFlags } from "./harvest-options.js"

export const replayCommand: Command = {
  name: "replay",
  summary: "rebuild sinks from the raw archive: the same records, provenance included, with zero requests",
  usage: "[--archive DIR] [--harvest ID]… --out SINK-URI…",
  details: [
    "Every harvest archives the API responses of the pages it committed (default <state>/archive; see",
    "docs/architecture.md). replay turns them back into records through the same decoders and dedupe, and",
    "writes them to the sinks as a fresh harvest (each sink first drops that harvest's rows), so a new sink,",
    "a lost table or a schema change costs no quota. It needs no credentials and sends no request. Each",
    "page is committed in the epoch the harvest committed it in (--commit-every does not apply), so a later",
    "run of the harvest into the rebuilt outputs continues them.",
    "Pipeline joins (user info lookups) are not replayed."
  ].join("\n"),
  options: {
    archive: { type: "string", value: "DIR", description: "the archive directory (default <state>/archive)" },
    harvest: { type: "string", multiple: true, value: "ID", description: "replay this harvest only, repeatable (default: every archived harvest)" },
    out: sinkOptions.out,
    "no-dedupe": { type: "boolean", description: "deliver every archived record, repeats included (as a harvest run with --no-dedupe)" }
  },
  examples: [
    { description: "rebuild every archived harvest as Parquet, without the API", command: "tikflow replay --out parquet:./rebuilt" }
  ],
  async run(input) {
    const { values, settings } = input
    const { runReplay } = await import("../replay/run-replay.js")
    return runReplay({
      archiveDir: typeof settings.archive === "string" ? settings.archive : resolve(settings.stateDir, "archive"),
      harvests: (values.harvest as ReadonlyArray<string> | undefined) ?? [],
      sinks: sinksFromFlags(values),
      transforms: transformsFromFlags(values)
    }, input)
  }
}
