import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { commands } from "@tikflow/cli"
import { afterAll, describe, expect, it } from "vitest"
import { parse as parseYaml } from "yaml"
import { query } from "./support/read-outputs.js"
import { codeBlocks, namedFiles, readReadme, repoRoot, section, shellCommands } from "./support/readme.js"
import { binPath, type CliResult, collect, expectFinished, runCli, runCliInProcess, spawnCli, stateHomeFor, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, mildFaults, useSandbox } from "./support/sandbox.js"
import { splitCommand } from "./support/split-command.js"
import { tempDir } from "./support/temp-dir.js"
import { transpileTo, typeErrors } from "./support/typescript-module.js"

/**
 * The README, executed: its quick start is checked against package.json, every command of its CLI
 * section runs (in order, in one directory, so later commands read what earlier ones wrote) against
 * a sandbox, and its Library block is type-checked against the built packages and run.
 */
const readme = readReadme()

/** A world covering the README's dates (2024-01-01 … 2024-03-31), small enough to harvest in seconds. */
const fixture = useSandbox({ seed: 3, world: { users: 200, videos: 4000, startDate: "2024-01-01", days: 91 }, faults: mildFaults })

describe("README quick start", () => {
  it("is exactly the two commands, and `demo` / `test` are the package scripts that run `tikflow demo` and the suite", () => {
    const [block] = codeBlocks(section(readme, "Quick start"), "sh")
    expect(shellCommands(block)).toEqual(["npx -y pnpm@10 install && npx -y pnpm@10 demo", "npx -y pnpm@10 test"])
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts
    expect(scripts.demo).toBe("pnpm run build && node packages/cli/dist/bin.js demo")
    // The suite tests the bundled `tikflow` command users run: a clean checkout bundles it before vitest.
    expect(scripts.test).toBe("pnpm run typecheck && node packages/cli/scripts/bundle.mjs && vitest run")
    expect(scripts.typecheck).toContain("tsc -b tsconfig.build.json")
    // `tikflow demo` itself is run and its DuckDB tables checked by help-examples.test.ts (its --help example).
    expect(commands.find((command) => command.name === "demo")?.examples.map((example) => example.command)).toContain("tikflow demo")
  })
})

/** The outputs a command's `--out` URIs name, each checked to hold data after the command. */
const checkOutputs = (args: ReadonlyArray<string>, dir: string, result: CliResult) => {
  args.forEach((arg, i) => {
    if (args[i - 1] !== "--out") return
    const [scheme, location] = [arg.slice(0, arg.indexOf(":")), arg.slice(arg.indexOf(":") + 1)]
    if (scheme === "ndjson" && location === "-") {
      expect(readNdjsonText(result.stdout).length, `${arg} printed records`).toBeGreaterThan(0)
    } else if (scheme === "parquet") {
      expect(filesUnder(join(dir, location)).filter((name) => name.endsWith(".parquet")).length, `${arg} holds Parquet parts`).toBeGreaterThan(0)
    } else {
      expect(existsSync(join(dir, location)), `${arg} exists`).toBe(true)
    }
  })
}

const readNdjsonText = (text: string) => text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as unknown)

const filesUnder = (path: string): Array<string> =>
  existsSync(path)
    ? readdirSync(path).flatMap((name) => (statSync(join(path, name)).isDirectory() ? filesUnder(join(path, name)) : [name]))
    : []

const option = (args: ReadonlyArray<string>, name: string): string => {
  const value = args[args.indexOf(name) + 1]
  if (!args.includes(name) || value === undefined) throw new Error(`expected ${name} in ${args.join(" ")}`)
  return value
}

const runShell = (line: string, cwd: string, env: Record<string, string | undefined>): Promise<CliResult> =>
  collect(spawn("sh", ["-c", line], { cwd, env: { ...process.env, XDG_STATE_HOME: stateHomeFor(cwd), XDG_CACHE_HOME: join(stateHomeFor(cwd), "cache"), ...env }, stdio: ["ignore", "pipe", "pipe"] }))

describe("README CLI section, every command in order against a sandbox", () => {
  const cli = section(readme, "CLI")
  const dir = tempDir("tikflow-readme-")
  const lines = codeBlocks(cli, "sh").flatMap(shellCommands)
  const files = namedFiles(cli)

  it("names a pipeline file for `tikflow run` and shows how users.txt is made", () => {
    expect(Object.keys(files)).toContain("pipeline.yaml")
    expect(lines).toContain("tikflow run pipeline.yaml")
    const usesUsersFile = lines.findIndex((line) => / users\.txt\b/.test(line) && line.startsWith("tikflow "))
    expect(usesUsersFile).toBeGreaterThan(lines.findIndex((line) => />\s*users\.txt$/.test(line)))
    expect(lines.findIndex((line) => />\s*users\.txt$/.test(line))).toBeGreaterThanOrEqual(0)
  })

  it("starts the sandbox first, then exports exactly what it prints: no placeholder that would reach for the real API", () => {
    const commandsOnly = lines.filter((line) => !line.startsWith("alias "))
    expect(commandsOnly[0]).toMatch(/^tikflow sandbox\b/)
    const port = /--port (\d+)/.exec(commandsOnly[0])?.[1]
    expect(port, "the sandbox line names its port, so the export line can be run as written").toBeDefined()
    const exported = commandsOnly[1]
    expect(exported).toMatch(new RegExp(`^export TIKFLOW_BASE_URL=http://127\\.0\\.0\\.1:${port} `))
    expect(exported).toContain(" TIKTOK_CLIENT_KEY=sandbox-key TIKTOK_CLIENT_SECRET=sandbox-secret")
    for (const line of lines) expect(line, "a placeholder run as written").not.toMatch(/…|<[a-z-]+>/)
  })

  it.each(lines.map((line, index) => [line, index] as const))("%s", async (line, index) => {
    if (index === 0) for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
    const env = fixture.env()
    if (line.startsWith("alias ")) {
      const target = /^alias tikflow="node (\S+)"$/.exec(line)?.[1]
      expect(target, line).toBeDefined()
      expect(resolve(target!.replace("$PWD", repoRoot))).toBe(binPath)
      return
    }
    if (line.startsWith("export ")) {
      // The harness gives the sandbox's values to the variables the README tells the reader to set.
      const names = line.slice("export ".length).split(/\s+/).map((assignment) => assignment.split("=")[0])
      expect(names.every((name) => name in env), `${names.join(", ")} are variables tikflow reads`).toBe(true)
      return
    }
    if (!line.startsWith("tikflow ")) {
      const result = await runShell(line, dir, env)
      expect(result.code, result.stderr).toBe(0)
      return
    }
    const [, ...args] = splitCommand(line)
    if (args[0] === "sandbox") {
      // The README's fixed port may be taken on a test machine: the harness asks for any free one.
      const portAt = args.indexOf("--port")
      if (portAt >= 0) args[portAt + 1] = "0"
      const child = spawnCli(args, { cwd: dir, env })
      const done = collect(child)
      const printed = await waitForOutput(child, /export TIKTOK_CLIENT_SECRET=\S+/)
      expect(printed).toMatch(/export TIKFLOW_BASE_URL=http:\/\/127\.0\.0\.1:\d+/)
      child.kill("SIGINT")
      const result = await done
      expect(result.code, result.stderr).toBe(0)
      return
    }
    // As `main` runs it, in this process (what the command does, not how a process starts); records
    // written to stdout (`--out ndjson:-`) need a process of their own.
    const result = args.includes("ndjson:-") ? await runCli(args, { cwd: dir, env }) : await runCliInProcess(args, { cwd: dir, env })
    expectFinished(result)
    checkOutputs(args, dir, result)
    if (args[0] === "videos") {
      const expected = expectedVideoIds(fixture.sandbox, option(args, "--query"), option(args, "--from"), option(args, "--to"))
      expect(expected.size, "the README's query finds videos in the sandbox world").toBeGreaterThan(0)
      const database = option(args, "--out").replace(/^duckdb:/, "")
      const rows = await query(join(dir, database), "SELECT CAST(id AS VARCHAR) AS id FROM videos")
      expect(new Set(rows.map((row) => row.id))).toEqual(expected)
    }
    if (args[0] === "comments") {
      const database = option(args, "--out").replace(/^duckdb:/, "")
      const rows = await query(join(dir, database), [
        "SELECT count(*)::INTEGER AS n,",
        "count(*) FILTER (WHERE video_id NOT IN (SELECT id FROM videos))::INTEGER AS strays FROM comments"
      ].join(" "))
      expect(rows[0].n, "comments of the videos").toBeGreaterThan(0)
      expect(rows[0].strays, "comments of videos not in the videos table").toBe(0)
    }
    if (args[0] === "run") {
      // Every job of the pipeline file landed in each DuckDB sink it names.
      const spec = parseYaml(files[args[1]]) as { sinks?: Array<string | { uri: string }>; jobs: Array<{ source: { endpoint: string }; sinks?: Array<string | { uri: string }> }> }
      const tables: Record<string, string> = { videos: "videos", comments: "comments", "user-info": "users" }
      for (const job of spec.jobs) {
        for (const sink of job.sinks ?? spec.sinks ?? []) {
          const uri = typeof sink === "string" ? sink : sink.uri
          if (!uri.startsWith("duckdb:")) continue
          const rows = await query(join(dir, uri.slice("duckdb:".length)), `SELECT count(*)::INTEGER AS n FROM ${tables[job.source.endpoint]}`)
          expect(rows[0].n, `${job.source.endpoint} rows in ${uri}`).toBeGreaterThan(0)
        }
      }
    }
  }, 60_000)

  it("the pipeline file's errors are as the README shows them", async () => {
    const shown = /`(pipeline\.yaml:(\d+): (jobs\[0\]\.source\.from): (\S+) [^`]+)`/.exec(cli)
    expect(shown, "README quotes a pipeline.yaml error").not.toBeNull()
    const [, message, , , badDate] = shown!
    writeFileSync(join(dir, "pipeline.yaml"), files["pipeline.yaml"].replace(/^(\s+from: )\S+$/m, `$1${badDate}`))
    const result = await runCliInProcess(["run", "pipeline.yaml"], { cwd: dir, env: fixture.env() })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(`tikflow: ${message}`)
  })
})

describe("README daily crawls", () => {
  const [crontab] = codeBlocks(section(readme, "Daily crawls"), "crontab")
  const line = crontab.split("\n").find((entry) => /^[\d*]/.test(entry))!
  const dir = tempDir("tikflow-readme-daily-")
  /** The CLI's clock at `iso`: the README's `today` is that day. */
  const at = (iso: string) => fixture.env({ TIKFLOW_CLOCK_OFFSET_MS: String(Date.parse(iso) - Date.now()), TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined })
  const videoQueries = () => fixture.sandbox.stats.requests["video/query"]

  it("the crontab line runs a videos harvest up to today (a cron environment: credentials from the file it names)", () => {
    expect(line).toMatch(/^15 6 \* \* \* +cd \S+ && tikflow videos .* --to today .*>> crawl\.log 2>&1$/)
  })

  it("its command, run on two days, fetches everything the first day and only the new and provisional days the next", async () => {
    const [, ...args] = splitCommand(/&& (tikflow .*?) >>/.exec(line)![1])
    const credentials = option(args, "--credentials")
    writeFileSync(join(dir, credentials), JSON.stringify({ client_key: fixture.sandbox.credentials.clientKey, client_secret: fixture.sandbox.credentials.clientSecret }))
    const database = join(dir, option(args, "--out").replace(/^duckdb:/, ""))
    const ids = async () => new Set((await query(database, "SELECT CAST(id AS VARCHAR) AS id FROM videos")).map((row) => row.id))
    const from = option(args, "--from")

    const first = await runCliInProcess(args, { cwd: dir, env: at("2024-02-10T06:15:00Z") })
    expectFinished(first)
    expect(await ids()).toEqual(expectedVideoIds(fixture.sandbox, option(args, "--query"), from, "2024-02-10"))

    // The next morning: the days since the last run's provisional ones (ended < 48 h before it) and today.
    const plan = await runCliInProcess([...args, "--dry-run", "--json"], { cwd: dir, env: at("2024-02-11T06:15:00Z") })
    expect(plan.code, plan.stderr).toBe(0)
    const planned = (JSON.parse(plan.stdout) as { jobs: Array<{ requests: Array<{ target: string }> }> }).jobs[0].requests
    expect(planned.map((request) => request.target)).toEqual(["window 20240208-20240211"])
    const before = videoQueries()
    const second = await runCliInProcess(args, { cwd: dir, env: at("2024-02-11T06:15:00Z") })
    expectFinished(second)
    expect(await ids()).toEqual(expectedVideoIds(fixture.sandbox, option(args, "--query"), from, "2024-02-11"))
    // One window of four days: a page or two, never the 42 days again.
    expect(videoQueries() - before).toBeLessThanOrEqual(3)
  }, 60_000)
})

describe("links", () => {
  it("every relative link of the README and docs/ resolves to a file in the repository", () => {
    const documents = ["README.md", ...readdirSync(join(repoRoot, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)]
    let checked = 0
    for (const document of documents) {
      const text = readFileSync(join(repoRoot, document), "utf8")
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue
        const path = resolve(repoRoot, document, "..", target.split("#")[0])
        expect(existsSync(path), `${document} links to ${target}`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(3)
  })
})

describe("README Library section", () => {
  // Inside the CLI package, so `@tikflow/*` and `effect` resolve to the built workspace packages.
  const moduleDir = mkdtempSync(join(repoRoot, "packages", "cli", "test", ".readme-library-"))
  const dir = tempDir("tikflow-readme-library-")
  afterAll(() => rmSync(moduleDir, { recursive: true, force: true }))
  const [block] = codeBlocks(section(readme, "Library"), "ts")

  it("type-checks against the built packages", () => {
    const path = join(moduleDir, "library.mts")
    writeFileSync(path, block)
    expect(typeErrors(path)).toEqual([])
  }, 60_000)

  it("runs against the sandbox and writes the DuckDB and Parquet output it names", async () => {
    const script = transpileTo(join(moduleDir, "library.mts"), block)
    mkdirSync(dir, { recursive: true })
    const result = await collect(spawn(process.execPath, [script], { cwd: dir, env: { ...process.env, XDG_STATE_HOME: stateHomeFor(dir), XDG_CACHE_HOME: join(stateHomeFor(dir), "cache"), ...fixture.env() }, stdio: ["ignore", "pipe", "pipe"] }))
    expect(result.code, result.stderr).toBe(0)
    const printed = Number(/^(\d+) videos/.exec(result.stdout)?.[1])
    expect(printed).toBeGreaterThan(0)
    const database = /resolveSink\("duckdb:([^"]+)"\)/.exec(block)?.[1]
    const parquet = /resolveSink\("parquet:([^"]+)"\)/.exec(block)?.[1]
    expect(database && parquet, "the block names a DuckDB and a Parquet sink").toBeTruthy()
    const inDuckDb = await query(join(dir, database!), "SELECT CAST(id AS VARCHAR) AS id FROM videos")
    const inParquet = await query(":memory:", `SELECT CAST(id AS VARCHAR) AS id FROM read_parquet('${join(dir, parquet!, "**", "*.parquet")}')`)
    expect(inDuckDb.length).toBe(printed)
    expect(new Set(inParquet.map((row) => row.id))).toEqual(new Set(inDuckDb.map((row) => row.id)))
  }, 60_000)
})
