import type { OptionSpecs } from "./option-spec.js"

/** Options every command accepts. */
export const globalOptions: OptionSpecs = {
  "base-url": { type: "string", value: "URL", description: "API base URL (default $TIKFLOW_BASE_URL or https://open.tiktokapis.com)" },
  credentials: { type: "string", value: "FILE", description: "JSON file {\"client_key\",\"client_secret\"} (default: $TIKTOK_CLIENT_KEY / $TIKTOK_CLIENT_SECRET)" },
  state: { type: "string", value: "DIR", description: "checkpoints and run state (default ./.tikflow)" },
  fresh: { type: "boolean", description: "forget this harvest's checkpoint and start over" },
  rate: { type: "string", value: "N", description: "at most N requests per second (default $TIKFLOW_RATE or 10)" },
  concurrency: { type: "string", value: "N", description: "requests at once: a video query's windows, or the videos/users of a fan-out (default 4)" },
  "commit-every": { type: "string", value: "N", description: "commit (flush sinks, save the checkpoint) every N records (default 50000)" },
  "commit-seconds": { type: "string", value: "S", description: "…or every S seconds, whichever comes first (default 10)" },
  "daily-quota": { type: "string", value: "N", description: "requests per UTC day the ledger allows (default 1000, the API's quota)" },
  "quota-ledger": {
    type: "string",
    value: "PATH",
    description: "the quota ledger file (default: one per client key in $XDG_STATE_HOME/tikflow/quota, for every directory)"
  },
  coordinator: {
    type: "string",
    value: "URI",
    description: "a PostgreSQL database (postgres://user@host/db) shared by a team: the daily quota ledger, and a work queue that splits the job among every process running the same command (default $TIKFLOW_COORDINATOR)"
  },
  "on-quota": { type: "string", value: "stop|wait", description: "when the quota is spent: stop resumably (exit 4, default) or wait for 00:00 UTC" },
  plugin: { type: "string", multiple: true, value: "NAME|PATH", description: "load a sink plugin (tikflow-sink-<name> package or a path); repeatable" },
  "log-format": { type: "string", value: "text|json", description: "progress as text (live on a TTY) or JSON events" },
  json: { type: "boolean", description: "progress, notices and the summary as JSON events: short for --log-format json" },
  quiet: { type: "boolean", short: "q", description: "print nothing but errors" },
  help: { type: "boolean", short: "h", description: "show this help" }
}
