import { resolve } from "node:path"
import { usageError } from "../cli-error.js"
import type { LogFormat } from "../output/output.js"
import { parseIntegerIn, parsePositiveNumber } from "./numbers.js"
import type { OptionValues } from "./option-spec.js"

export const DEFAULT_BASE_URL = "https://open.tiktokapis.com"

/** The global options, resolved and checked. */
export interface GlobalSettings {
  readonly baseUrl: string
  /** Where the base URL came from, for messages: `--base-url`, `TIKFLOW_BASE_URL` or the default. */
  readonly baseUrlFlag: string
  readonly credentialsFile: string | undefined
  readonly stateDir: string
  readonly fresh: boolean
  readonly rate: number
  readonly concurrency: number
  /** Records per epoch and seconds per epoch: how often sinks flush and the checkpoint is saved. */
  readonly commitEvery: number
  readonly commitSeconds: number
  readonly dailyQuota: number
  readonly onQuota: "stop" | "wait"
  /**
   * The quota ledger file when `--quota-ledger` or `TIKFLOW_QUOTA_LEDGER` names one; otherwise
   * the machine's ledger of the client key (`machineQuotaLedgerPath`), known once credentials are.
   */
  readonly quotaLedgerPath: string | undefined
  /** `--coordinator` or `TIKFLOW_COORDINATOR`: a PostgreSQL URI whose database keeps the quota ledger instead. */
  readonly coordinator: string | undefined
  /** The CLI's clock (epoch ms); `TIKFLOW_CLOCK_OFFSET_MS` shifts it, for tests of the daily reset. */
  readonly now: () => number
  readonly logFormat: LogFormat
  readonly quiet: boolean
  /** `--archive DIR` (resolved) or `--no-archive` (false); undefined when neither was given. */
  readonly archive: string | false | undefined
}

export const resolveGlobalSettings = (values: OptionValues, env: NodeJS.ProcessEnv): GlobalSettings => {
  const baseUrl = (values["base-url"] as string | undefined) ?? env.TIKFLOW_BASE_URL ?? DEFAULT_BASE_URL
  const flag = values["base-url"] !== undefined ? "--base-url" : env.TIKFLOW_BASE_URL !== undefined ? "TIKFLOW_BASE_URL" : "baseUrl"
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw usageError(`${flag}: expected an http(s) URL, got ${JSON.stringify(baseUrl)}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`${flag}: expected an http(s) URL, got ${JSON.stringify(baseUrl)}`)
  }
  const logFormatFlag = values["log-format"] as string | undefined
  if (values.json === true && logFormatFlag !== undefined && logFormatFlag !== "json") {
    throw usageError(`--json: is --log-format json, but --log-format ${logFormatFlag} is given too`)
  }
  const logFormat = logFormatFlag ?? (values.json === true ? "json" : "text")
  if (logFormat !== "text" && logFormat !== "json") {
    throw usageError(`--log-format: expected text or json, got ${JSON.stringify(logFormat)}`)
  }
  const onQuota = (values["on-quota"] as string | undefined) ?? "stop"
  if (onQuota !== "stop" && onQuota !== "wait") {
    throw usageError(`--on-quota: expected stop or wait, got ${JSON.stringify(onQuota)}`)
  }
  const offsetText = env.TIKFLOW_CLOCK_OFFSET_MS
  const offset = offsetText === undefined || offsetText === "" ? 0 : Number(offsetText)
  if (!Number.isFinite(offset)) throw usageError(`TIKFLOW_CLOCK_OFFSET_MS: expected milliseconds, got ${JSON.stringify(offsetText)}`)
  const stateDir = resolve((values.state as string | undefined) ?? ".tikflow")
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    baseUrlFlag: flag,
    credentialsFile: values.credentials as string | undefined,
    stateDir,
    fresh: values.fresh === true,
    rate: values.rate !== undefined || !env.TIKFLOW_RATE
      ? parsePositiveNumber("--rate", values.rate as string | undefined, 10)
      : parsePositiveNumber("TIKFLOW_RATE", env.TIKFLOW_RATE, 10),
    commitEvery: parseIntegerIn("--commit-every", values["commit-every"] as string | undefined, 50_000, 1, 100_000_000),
    commitSeconds: parsePositiveNumber("--commit-seconds", values["commit-seconds"] as string | undefined, 10),
    concurrency: parseIntegerIn("--concurrency", values.concurrency as string | undefined, 4, 1, 64),
    dailyQuota: parseIntegerIn("--daily-quota", values["daily-quota"] as string | undefined, 1000, 1, 10_000_000),
    onQuota,
    quotaLedgerPath: quotaLedgerOverride(values["quota-ledger"] as string | undefined, env.TIKFLOW_QUOTA_LEDGER),
    coordinator: coordinatorOf(values.coordinator as string | undefined, env.TIKFLOW_COORDINATOR),
    now: () => Date.now() + offset,
    logFormat,
    quiet: values.quiet === true,
    archive: archiveOf(values.archive as string | undefined, values["no-archive"] === true)
  }
}

const archiveOf = (dir: string | undefined, none: boolean): string | false | undefined => {
  if (none && dir !== undefined) throw usageError("--no-archive: turns the archive off, but --archive is given too")
  if (none) return false
  if (dir === undefined) return undefined
  if (dir.trim() === "") throw usageError("--archive: expected a directory, got an empty string")
  return resolve(dir)
}

const coordinatorOf = (flag: string | undefined, fromEnv: string | undefined): string | undefined => {
  const [uri, field] = flag !== undefined ? [flag, "--coordinator"] : [fromEnv, "TIKFLOW_COORDINATOR"]
  if (uri === undefined || (field === "TIKFLOW_COORDINATOR" && uri.trim() === "")) return undefined
  // Never echo the value: it may hold a password.
  if (!/^postgres(ql)?:\/\//.test(uri)) throw usageError(`${field}: expected a postgres://user@host:port/database URI`)
  return uri
}

const quotaLedgerOverride = (flag: string | undefined, fromEnv: string | undefined): string | undefined => {
  if (flag !== undefined) {
    if (flag.trim() === "") throw usageError("--quota-ledger: expected a file path, got an empty string")
    return resolve(flag)
  }
  return fromEnv !== undefined && fromEnv.trim() !== "" ? resolve(fromEnv) : undefined
}
