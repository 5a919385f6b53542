import { basename } from "node:path"
import { LineCounter, parseDocument } from "yaml"
import { type RecordKind, recordKinds } from "@tikflow/core/internal"
import { DAY_FORMS, parseDate } from "../args/dates.js"
import { CliError, usageError } from "../cli-error.js"
import {
  type Endpoint,
  endpoints,
  isUserEndpoint,
  type JobSpec,
  type ListInput,
  MAX_WINDOW_DAYS,
  type RunSpec,
  type SinkSpec,
  type SourceSpec,
  type TransformSpec
} from "../harvest/job-spec.js"
import { type FieldPath, formatFieldPath } from "./field-path.js"
import { MiB, readBoundedText } from "../inputs/read-bounded-text.js"
import { SpecError } from "./spec-error.js"
import { asBoolean, asList, asMapping, asString, asStringList, fail, numberOf, required } from "./value-reader.js"

/** A validated pipeline file, able to point at the line of any field for later (async) checks. */
export interface PipelineFile {
  readonly path: string
  readonly spec: PipelineRunSpec
  /** `pipeline.yaml:7` for a field path, the nearest existing node when the field is absent. */
  locate(path: FieldPath): string
}

/** Pipeline files are hand-written: a few KiB. */
const MAX_PIPELINE_FILE_BYTES = 4 * MiB

/**
 * Reads a pipeline file (YAML or JSON — JSON is read as YAML) and validates it. Every problem is
 * one line: `pipeline.yaml:7: jobs[0].source.from: 2024-13-01 is not a real date`. `today` (the CLI's
 * clock) is the day `from: -7d`, `to: today` and `to: yesterday` count from.
 */
export const readPipelineFile = async (path: string, today: Date): Promise<PipelineFile> => {
  const text = readBoundedText("run", path, MAX_PIPELINE_FILE_BYTES, (code) => `${path}: cannot read the pipeline file (${code})`)
  const lineCounter = new LineCounter()
  // intAsBigInt: video ids exceed 2^53 and must not be rounded.
  const document = parseDocument(text, { lineCounter, intAsBigInt: true, prettyErrors: false, uniqueKeys: true })
  const name = basename(path)
  if (document.errors.length > 0) {
    const error = document.errors[0]
    const line = error.linePos?.[0].line ?? 1
    throw usageError(`${name}:${line}: not valid YAML or JSON: ${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`)
  }
  const locate = (field: FieldPath): string => {
    for (let length = field.length; length >= 0; length--) {
      const node = document.getIn(field.slice(0, length), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return `${name}:${lineCounter.linePos(node.range[0]).line}`
    }
    return `${name}:1`
  }
  let value: unknown
  try {
    value = document.toJS()
  } catch (error) {
    // yaml refuses documents whose aliases expand without bound (an "alias bomb").
    throw usageError(`${name}: not a usable pipeline file: ${String((error as Error).message).split("\n")[0]}`)
  }
  try {
    const spec = validatePipeline(value, name, today, (field) => `${locate(field)}: ${formatFieldPath(field)}`)
    return { path, spec, locate }
  } catch (error) {
    if (error instanceof SpecError) throw usageError(`${locate(error.path)}: ${error.message}`)
    if (error instanceof CliError) throw error
    throw error
  }
}

const topFields = ["version", "plugins", "coordinator", "sinks", "jobs", "archive"]
const jobFields = ["name", "source", "transforms", "sinks"]

/** Names a field in messages: `pipeline.yaml:7: sinks[1].uri`. */
type Where = (path: FieldPath) => string

export interface PipelineRunSpec extends RunSpec {
  readonly plugins: ReadonlyArray<{ readonly specifier: string; readonly field: string }>
  /** `coordinator:`, the team's PostgreSQL database (quota ledger, work queue); `--coordinator` overrides it. */
  readonly coordinator?: string
}

export const validatePipeline = (value: unknown, label: string, today: Date, where: Where = formatFieldPath): PipelineRunSpec => {
  const top = asMapping(value ?? {}, [], topFields)
  if (top.version !== undefined && numberOf(top.version) !== 1) fail(["version"], "1", top.version)
  const plugins = top.plugins === undefined
    ? []
    : asStringList(top.plugins, ["plugins"], "plugin package names or paths").map((specifier, index) => ({
      specifier,
      field: where(["plugins", index])
    }))
  const coordinator = top.coordinator === undefined ? undefined : validateCoordinator(top.coordinator)
  const defaultSinks = top.sinks === undefined ? [] : validateSinks(top.sinks, ["sinks"], where)
  const jobsValue = asList(required(top, "jobs", [], "a list of jobs"), ["jobs"])
  if (jobsValue.length === 0) fail(["jobs"], "at least one job")
  const jobs: Array<JobSpec> = []
  jobsValue.forEach((jobValue, index) => {
    const path = ["jobs", index]
    const job = asMapping(jobValue, path, jobFields)
    const name = job.name === undefined ? `job${index + 1}` : asString(job.name, [...path, "name"])
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) fail([...path, "name"], "a name of letters, digits, - and _", name)
    if (jobs.some((earlier) => earlier.name === name)) fail([...path, "name"], "a name no other job has", name)
    const source = validateSource(required(job, "source", path, "a source mapping"), [...path, "source"], jobs, today)
    const transforms = job.transforms === undefined ? defaultTransforms : validateTransforms(job.transforms, [...path, "transforms"], source.endpoint)
    const sinks = job.sinks === undefined ? defaultSinks : validateSinks(job.sinks, [...path, "sinks"], where)
    if (sinks.length === 0) fail([...path, "sinks"], "at least one sink (here or in the top-level sinks)")
    const sourceMap = job.source as Record<string, unknown>
    const listKey = ["usernames", "usernames_from", "video_ids", "video_ids_from"].find((key) => sourceMap[key] !== undefined)
    jobs.push({
      name,
      source,
      transforms,
      sinks,
      fieldNames: {
        query: where([...path, "source", "query"]),
        ...(listKey ? { list: where([...path, "source", listKey]) } : {})
      }
    })
  })
  const archive = top.archive === undefined || top.archive === null
    ? undefined
    : top.archive === false
    ? false
    : typeof top.archive === "string" && top.archive.trim() !== ""
    ? top.archive
    : fail(["archive"], "a directory for the raw archive, or false for none", top.archive)
  return { label, jobs, plugins, ...(coordinator === undefined ? {} : { coordinator }), ...(archive === undefined ? {} : { archive }) }
}

/** A postgres:// URI; never echoed in the message, as it may hold a password. */
const validateCoordinator = (value: unknown): string =>
  typeof value === "string" && /^postgres(ql)?:\/\//.test(value) ? value : fail(["coordinator"], "a postgres://user@host:port/database URI")

const defaultTransforms: ReadonlyArray<TransformSpec> = [{ kind: "dedupe", keep: "first" }]

const validateSinks = (value: unknown, path: FieldPath, where: Where): ReadonlyArray<SinkSpec> =>
  asList(value, path).map((item, index) => {
    const at = [...path, index]
    if (typeof item === "string") return { uri: asString(item, at, "a sink URI"), options: {}, field: where(at) }
    const sink = asMapping(item, at, ["uri", "options"])
    const uri = asString(required(sink, "uri", at, "a sink URI"), [...at, "uri"], "a sink URI")
    const options: Record<string, string | number | boolean> = {}
    if (sink.options !== undefined) {
      const raw = asMapping(sink.options, [...at, "options"], Object.keys(sink.options ?? {}))
      for (const [key, option] of Object.entries(raw)) {
        if (typeof option === "bigint") options[key] = Number(option)
        else if (typeof option === "string" || typeof option === "number" || typeof option === "boolean") options[key] = option
        else fail([...at, "options", key], "a string, number or boolean", option)
      }
    }
    return { uri, options, field: where([...at, "uri"]) }
  })

/** Endpoints whose records carry a `username` a join can look up, and their record kinds. */
const joinableKinds: Partial<Record<Endpoint, RecordKind>> = {
  videos: "video",
  followers: "social_user",
  following: "social_user",
  "liked-videos": "user_video",
  "pinned-videos": "user_video",
  "reposted-videos": "user_video"
}
const joinableEndpoints = Object.keys(joinableKinds)

const validateTransforms = (value: unknown, path: FieldPath, endpoint: Endpoint): ReadonlyArray<TransformSpec> =>
  asList(value, path).map((item, index): TransformSpec => {
    const at = [...path, index]
    if (item === "dedupe") return { kind: "dedupe", keep: "first" } as const
    if (typeof item === "string") return fail(at, "a transform: dedupe, {dedupe: {…}} or {join: {…}}", item)
    const transform = asMapping(item, at, ["dedupe", "join"])
    if (transform.join !== undefined) {
      const join = asMapping(transform.join, [...at, "join"], ["endpoint", "on", "as", "miss"])
      const joinEndpoint = join.endpoint ?? "user-info"
      if (joinEndpoint !== "user-info") fail([...at, "join", "endpoint"], "user-info (the lookup a join can make)", joinEndpoint)
      if (!joinableEndpoints.includes(endpoint)) {
        fail([...at, "join"], `a job whose records name a user (${joinableEndpoints.join(", ")}); ${endpoint} records do not`)
      }
      const on = join.on === undefined ? "username" : asString(join.on, [...at, "join", "on"])
      if (on !== "username") fail([...at, "join", "on"], "username (the field holding the user to look up)", on)
      const as = join.as === undefined ? "author" : asString(join.as, [...at, "join", "as"])
      if (!/^[a-z_][a-z0-9_]*$/.test(as)) fail([...at, "join", "as"], "a field name of lower-case letters, digits and _", as)
      // Every sink stores the added field (a JSON text column in DuckDB, Parquet, Arrow): it must be new.
      const kind = joinableKinds[endpoint]!
      if ((recordKinds[kind].fields as ReadonlyArray<string>).includes(as)) {
        fail([...at, "join", "as"], `a field name ${endpoint} records do not already have`, as)
      }
      const miss = join.miss ?? "keep"
      if (miss !== "drop" && miss !== "keep" && miss !== "fail") return fail([...at, "join", "miss"], "drop, keep or fail", miss)
      return { kind: "join", endpoint: "user-info", on, as, miss } as const
    }
    if (transform.dedupe === null || transform.dedupe === true) return { kind: "dedupe", keep: "first" } as const
    const options = asMapping(transform.dedupe, [...at, "dedupe"], ["keep", "by"])
    const keep = options.keep ?? "first"
    if (keep === "first") {
      if (options.by !== undefined) fail([...at, "dedupe", "by"], "no field with keep: first (by goes with keep: last)")
      return { kind: "dedupe", keep: "first" } as const
    }
    if (keep !== "last") return fail([...at, "dedupe", "keep"], "first or last", keep)
    const by = asString(required(options, "by", [...at, "dedupe"], "the field deciding which record is the last, e.g. create_time"), [...at, "dedupe", "by"])
    return { kind: "dedupe", keep: { last: by } } as const
  })

const sourceFields: Record<string, ReadonlyArray<string>> = {
  videos: ["endpoint", "query", "from", "to", "window_days", "fields", "random", "keep_repeats"],
  comments: ["endpoint", "video_ids", "video_ids_from"],
  user: ["endpoint", "usernames", "usernames_from"]
}

const validateSource = (value: unknown, path: FieldPath, earlier: ReadonlyArray<JobSpec>, today: Date): SourceSpec => {
  const endpointValue = asMapping(value, path, ["endpoint", ...new Set(Object.values(sourceFields).flat())]).endpoint
  const endpoint = asString(endpointValue, [...path, "endpoint"], `an endpoint (${endpoints.join(", ")})`)
  if (!(endpoints as ReadonlyArray<string>).includes(endpoint)) {
    fail([...path, "endpoint"], `one of ${endpoints.join(", ")}`, endpoint)
  }
  const typed = endpoint as Endpoint
  if (typed === "videos") {
    const source = asMapping(value, path, sourceFields.videos)
    const query = required(source, "query", path, "a query expression or the API's query object")
    if (typeof query !== "string" && (typeof query !== "object" || Array.isArray(query))) {
      fail([...path, "query"], "a query expression or the API's query object", query)
    }
    const from = dateField(source, "from", path, today)
    const to = dateField(source, "to", path, today)
    if (from > to) fail([...path, "from"], `a date ≤ to (${to})`, from)
    const todayText = today.toISOString().slice(0, 10)
    if (to > todayText) fail([...path, "to"], `a day up to today (${todayText} UTC), not in the future`, to)
    const windowDays = source.window_days === undefined ? MAX_WINDOW_DAYS : numberOf(source.window_days)
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
      fail([...path, "window_days"], `a whole number from 1 to ${MAX_WINDOW_DAYS} (the API's longest window)`, source.window_days)
    }
    return {
      endpoint: "videos",
      query: query as string | object,
      from,
      to,
      windowDays,
      fields: source.fields === undefined ? undefined : asStringList(source.fields, [...path, "fields"], "field names"),
      random: source.random === undefined ? false : asBoolean(source.random, [...path, "random"]),
      ...(source.keep_repeats !== undefined && asBoolean(source.keep_repeats, [...path, "keep_repeats"]) ? { keepRepeats: true } : {})
    }
  }
  if (typed === "comments") {
    const source = asMapping(value, path, sourceFields.comments)
    return { endpoint: "comments", videoIds: listInput(source, "video_ids", path, earlier) }
  }
  if (!isUserEndpoint(typed)) return fail([...path, "endpoint"], "a known endpoint", endpoint)
  const source = asMapping(value, path, sourceFields.user)
  return { endpoint: typed, usernames: listInput(source, "usernames", path, earlier) }
}

const dateField = (source: Record<string, unknown>, key: string, path: FieldPath, today: Date): string => {
  const raw = required(source, key, path, DAY_FORMS)
  const text = asString(raw, [...path, key], DAY_FORMS)
  try {
    return parseDate(formatFieldPath([...path, key]), text, today)
  } catch (error) {
    throw new SpecError([...path, key], (error as Error).message)
  }
}

/** `usernames: [a, b]` or `usernames_from: <earlier job | file | duckdb:file#table>`, exactly one. */
const listInput = (
  source: Record<string, unknown>,
  key: "usernames" | "video_ids",
  path: FieldPath,
  earlier: ReadonlyArray<JobSpec>
): ListInput => {
  const fromKey = `${key}_from`
  const field = key === "usernames" ? "username" : "video_id"
  if (source[key] !== undefined && source[fromKey] !== undefined) fail([...path, fromKey], `either ${key} or ${fromKey}, not both`)
  if (source[key] !== undefined) {
    const values = asStringList(source[key], [...path, key], key === "usernames" ? "usernames" : "video ids")
    if (key === "video_ids") {
      values.forEach((id, index) => /^\d{1,20}$/.test(id) || fail([...path, key, index], "a numeric video id", id))
    }
    return { kind: "values", values }
  }
  if (source[fromKey] === undefined) return fail([...path, key], `${key} or ${fromKey} (required)`)
  const from = asString(source[fromKey], [...path, fromKey], "an earlier job's name, a file or duckdb:file#table")
  const job = earlier.find((candidate) => candidate.name === from)
  if (job) {
    if (key === "video_ids" && !yieldsVideoIds(job.source.endpoint)) {
      fail([...path, fromKey], `a job that yields video ids (videos, comments, liked/pinned/reposted-videos); job ${from} is ${job.source.endpoint}`)
    }
    return { kind: "job", job: from, field }
  }
  return { kind: "file", path: from, field }
}

const yieldsVideoIds = (endpoint: Endpoint): boolean =>
  endpoint === "videos" || endpoint === "comments" || endpoint.endsWith("-videos")
