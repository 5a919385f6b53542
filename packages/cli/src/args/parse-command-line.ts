import { parseArgs } from "node:util"
import { usageError } from "../cli-error.js"
import type { OptionSpecs, OptionValues } from "./option-spec.js"
import { rejectSecretFlags } from "./secret-flags.js"

export interface ParsedCommandLine {
  readonly values: OptionValues
  readonly positionals: ReadonlyArray<string>
}

/**
 * `node:util` parseArgs in strict mode, with its errors rewritten as one line that names the
 * option and points at the command's help.
 */
export const parseCommandLine = (
  command: string,
  argv: ReadonlyArray<string>,
  options: OptionSpecs,
  maxPositionals: number
): ParsedCommandLine => {
  rejectSecretFlags(argv)
  const config: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {}
  for (const [name, spec] of Object.entries(options)) {
    config[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {})
    }
  }
  const help = `see tikflow ${command} --help`
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({ args: withNegativeValues(argv, options), options: config, strict: true, allowPositionals: true })
  } catch (error) {
    throw usageError(`${describeParseError(error, options)} (${help})`)
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals]
    throw usageError(`unexpected argument ${JSON.stringify(extra)} (${help})`)
  }
  for (const [name, spec] of Object.entries(options)) {
    const value = parsed.values[name]
    if (spec.type === "string" && !spec.multiple && Array.isArray(value)) {
      throw usageError(`--${name}: given more than once (${help})`)
    }
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals }
}

/**
 * `--from -7d`: parseArgs takes a value starting with `-` for an option (it could be a mistyped
 * flag) and refuses it; no flag starts with a digit, so such a value is joined to its option.
 */
const withNegativeValues = (argv: ReadonlyArray<string>, options: OptionSpecs): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return [...out, ...argv.slice(i)]
    const name = /^--([a-z0-9-]+)$/.exec(argv[i])?.[1]
    const next = argv[i + 1]
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${argv[i]}=${next}`)
      i++
    } else out.push(argv[i])
  }
  return out
}

const describeParseError = (error: unknown, options: OptionSpecs): string => {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message
    const name = flag.replace(/^-+/, "").split("=")[0]
    const near = closest(name, Object.keys(options))
    return `unknown option ${flag.split("=")[0]}${near ? ` (did you mean --${near}?)` : ""}`
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /--([a-z0-9-]+)/i.exec(message)?.[1]
    if (flag && options[flag]?.type === "boolean") return `--${flag}: is a switch and takes no value`
    if (flag) return `--${flag}: expected a value ${options[flag]?.value ?? ""}`.trimEnd()
  }
  return message.split("\n")[0]
}

/** The known option nearest to a misspelt one, when it is near enough to be a likely typo. */
const closest = (name: string, candidates: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]
}
