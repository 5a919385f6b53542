import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { runCliInProcess } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox({ faults: {} })
const dir = tempDir()
installFakePlugin(dir, "memo")
writeFileSync(join(dir, "ids.txt"), "7320768196569599275\nnot-an-id\n")
writeFileSync(join(dir, "creds-bad.json"), "{\"client_key\": \"k\"}")
mkdirSync(join(dir, "out"), { recursive: true })

const pipeline = (name: string, text: string) => {
  writeFileSync(join(dir, name), text)
  return name
}

const V = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-05"]
const OUT = ["--out", "ndjson:./out/v.ndjson"]

interface Case {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly message: RegExp
  readonly code?: number
  readonly env?: Record<string, string | undefined>
}

const cases: ReadonlyArray<Case> = [
  { name: "unknown command", args: ["vidoes"], message: /^tikflow: unknown command "vidoes" \(known: demo, videos/m },
  { name: "unknown flag", args: ["videos", "--querry", "x"], message: /unknown option --querry \(did you mean --query\?\) \(see tikflow videos --help\)/ },
  { name: "switch given a value", args: [...V, ...OUT, "--fresh=yes"], message: /--fresh: is a switch and takes no value/ },
  { name: "secret on the command line", args: [...V, "--client-secret", "hunter2-secret"], message: /--client-secret: secrets are never accepted on the command line .*TIKTOK_CLIENT_SECRET.*--credentials/ },
  { name: "date in another format", args: ["videos", "--query", "region_code = US", "--from", "2024/01/01", "--to", "2024-01-05", ...OUT], message: /--from: expected a date YYYY-MM-DD, today, yesterday or -Nd \(N days before today\), got "2024\/01\/01"/ },
  { name: "day word tikflow does not know", args: ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "tomorrow", ...OUT], message: /^tikflow: --to: expected a date YYYY-MM-DD, today, yesterday or -Nd \(N days before today\), got "tomorrow"$/m },
  { name: "date that does not exist", args: ["videos", "--query", "region_code = US", "--from", "2024-02-30", "--to", "2024-03-05", ...OUT], message: /--from: 2024-02-30 is not a real date/ },
  { name: "dates out of order", args: ["videos", "--query", "region_code = US", "--from", "2024-02-01", "--to", "2024-01-01", ...OUT], message: /--from: 2024-02-01 is after --to 2024-01-01; expected --from ≤ --to/ },
  { name: "range ending in the future", args: ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2999-01-01", ...OUT], message: /--to: 2999-01-01 is in the future/ },
  { name: "window over the API's 30 days", args: [...V, ...OUT, "--window-days", "31"], message: /--window-days: expected a whole number from 1 to 30, got "31"/ },
  { name: "missing --from", args: ["videos", "--query", "region_code = US", "--to", "2024-01-05", ...OUT], message: /--from: required/ },
  { name: "unparsable query", args: ["videos", "--query", "region_code IN (US,", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /--query: expected a value for region_code .* at position 19, got the end of the text/ },
  { name: "unknown query field", args: ["videos", "--query", "colour = red", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /--query: expected a field name \(one of id, .*\) at position 0, got "colour"/ },
  // The API answers a region code it does not know with zero videos, not an error: refused here.
  { name: "region code the API does not accept", args: ["videos", "--query", "region_code IN (XX)", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /--query: expected a region code the API accepts \(ISO 3166-1 alpha-2, upper case, e\.g\. US\) for region_code at position 16, got "XX"$/m },
  { name: "region code with a likely meaning", args: ["videos", "--query", "region_code IN (US, UK)", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /--query: expected a region code the API accepts .* at position 20, got "UK" \(did you mean GB\?\)/ },
  { name: "query the API cannot express", args: ["videos", "--query", "region_code = US OR (hashtag_name = a AND keyword = b)", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /--query: expected only conditions inside an OR group/ },
  { name: "no sink", args: V, message: /--out: required, at least one sink URI/ },
  { name: "unknown sink scheme", args: [...V, "--out", "parqet:./x"], message: /--out: "parqet:\.\/x": unknown scheme "parqet", expected one of .*parquet/ },
  { name: "bad built-in sink option", args: [...V, "--out", "parquet:./x?compression=lz4"], message: /--out: parquet:\.\/x: compression: expected/ },
  { name: "bad plugin config", args: [...V, "--out", "memo:./m.jsonl"], message: /--out: memo:\.\/m\.jsonl: label: expected a non-empty string/ },
  // Node's own mkdir -p never settles under /proc: this ran forever before.
  { name: "output where no directory can be created", args: [...V, "--out", "ndjson:/proc/x/y"], message: /^tikflow: --out: ndjson:\/proc\/x\/y: cannot create \/proc\/x \(ENOENT\); expected a path in a directory that exists or can be created, and that tikflow may write$/m },
  { name: "state directory under a file", args: [...V, ...OUT, "--state", "ids.txt/state"], message: /^tikflow: --state: \S*ids\.txt\/state: cannot create \S*ids\.txt\/state \(ENOTDIR\); expected a path in a directory/m },
  { name: "plugin that is not there", args: [...V, ...OUT, "--plugin", "./nowhere.mjs"], message: /--plugin: sink plugin \.\/nowhere\.mjs: no file at/ },
  { name: "unreadable usernames file", args: ["followers", "--usernames-from", "missing.txt", ...OUT], message: /--usernames-from: cannot read missing\.txt \(ENOENT\)/ },
  { name: "bad line in an ids file", args: ["comments", "--video-ids-from", "ids.txt", ...OUT], message: /--video-ids-from: ids\.txt:2: expected a numeric video id per line, got "not-an-id"/ },
  { name: "missing DuckDB input", args: ["comments", "--video-ids-from", "duckdb:./nope.duckdb#videos", ...OUT], message: /--video-ids-from: cannot read \.\/nope\.duckdb \(ENOENT\)/ },
  { name: "malformed DuckDB input", args: ["user-info", "--usernames-from", "duckdb:./x.duckdb", ...OUT], message: /--usernames-from: expected duckdb:<file\.duckdb>#<table>/ },
  { name: "non-numeric video id", args: ["comments", "--video-id", "12,abc", ...OUT], message: /--video-id: expected numeric video ids, got "abc"/ },
  { name: "both a list and a file", args: ["user-info", "--username", "a", "--usernames-from", "x.txt", ...OUT], message: /--usernames-from: give either --username or --usernames-from, not both/ },
  { name: "missing credentials", args: [...V, ...OUT], message: /credentials: TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET not set; set .* or pass --credentials <file>/, env: { TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined } },
  { name: "unreadable credentials file", args: [...V, ...OUT, "--credentials", "nope.json"], message: /--credentials: cannot read nope\.json \(ENOENT\)/ },
  { name: "credentials file without a secret", args: [...V, ...OUT, "--credentials", "creds-bad.json"], message: /--credentials: creds-bad\.json has no client_secret/ },
  { name: "--json with another log format", args: [...V, ...OUT, "--json", "--log-format", "text"], message: /--json: is --log-format json, but --log-format text is given too/ },
  { name: "bad log format", args: [...V, ...OUT, "--log-format", "xml"], message: /--log-format: expected text or json, got "xml"/ },
  { name: "bad rate", args: [...V, ...OUT, "--rate", "0"], message: /--rate: expected a positive number, got "0"/ },
  { name: "bad base URL", args: [...V, ...OUT, "--base-url", "ftp://x"], message: /--base-url: expected an http\(s\) URL, got "ftp:\/\/x"/ },
  { name: "unknown fault kind", args: ["sandbox", "--faults", "serverErr=0.1"], message: /--faults: unknown fault kind "serverErr" \(known: rateLimit,/ },
  { name: "fault rates over 1", args: ["sandbox", "--faults", "serverError=0.7,reset=0.6"], message: /--faults: the rates add up to 1\.300; expected a sum ≤ 1/ },
  { name: "run without a file", args: ["run"], message: /run: expected a pipeline file/ },
  { name: "pipeline file missing", args: ["run", "nope.yaml"], message: /nope\.yaml: cannot read the pipeline file \(ENOENT\)/ },
  {
    name: "pipeline: unknown sink scheme, with its line",
    args: ["run", pipeline("p1.yaml", "sinks:\n  - ndjson:./out/p1.ndjson\n  - uri: parqet:./out/p1\njobs:\n  - source: { endpoint: user-info, usernames: [user_00001] }\n")],
    message: /^tikflow: p1\.yaml:3: sinks\[1\]\.uri: "parqet:\.\/out\/p1": unknown scheme "parqet", expected one of/m
  },
  {
    name: "pipeline: bad date, with its line",
    args: ["run", pipeline("p2.yaml", "sinks: [ndjson:./out/p2.ndjson]\njobs:\n  - name: v\n    source:\n      endpoint: videos\n      query: region_code = US\n      from: 2024-01-32\n      to: 2024-02-01\n")],
    message: /^tikflow: p2\.yaml:7: jobs\[0\]\.source\.from: 2024-01-32 is not a real date/m
  },
  {
    name: "pipeline: unknown field",
    args: ["run", pipeline("p3.yaml", "sinks: [ndjson:./out/p3.ndjson]\njobs:\n  - sourc: { endpoint: videos }\n")],
    message: /^tikflow: p3\.yaml:3: jobs\[0\]\.sourc: unknown field \(known: name, source, transforms, sinks\)/m
  },
  {
    name: "pipeline: not YAML",
    args: ["run", pipeline("p4.yaml", "jobs: [\n  - x\n")],
    message: /^tikflow: p4\.yaml:\d+: not valid YAML or JSON/m
  },
  {
    name: "pipeline: a job reading video ids from a job without any",
    args: ["run", pipeline("p5.yaml", "sinks: [ndjson:./out/p5.ndjson]\njobs:\n  - name: users\n    source: { endpoint: user-info, usernames: [user_00001] }\n  - source: { endpoint: comments, video_ids_from: users }\n")],
    message: /^tikflow: p5\.yaml:5: jobs\[1\]\.source\.video_ids_from: expected a job that yields video ids .* job users is user-info/m
  },
  {
    name: "pipeline: bad query, with its line",
    args: ["run", pipeline("p6.json", JSON.stringify({ sinks: ["ndjson:./out/p6.ndjson"], jobs: [{ source: { endpoint: "videos", query: "region_code ==", from: "2024-01-01", to: "2024-01-02" } }] }, null, 2))],
    message: /^tikflow: p6\.json:\d+: jobs\[0\]\.source\.query: expected a value for region_code/m
  },
  {
    name: "pipeline: a join whose field would replace one the records have",
    args: ["run", pipeline("p7.yaml", "jobs:\n  - source: { endpoint: videos, query: region_code = US, from: 2024-01-01, to: 2024-01-02 }\n    transforms: [{ join: { as: username } }]\n    sinks: [duckdb:./out/j.duckdb]\n")],
    message: /^tikflow: p7\.yaml:3: jobs\[0\]\.transforms\[0\]\.join\.as: expected a field name videos records do not already have, got "?username"?/m
  },
  { name: "refused credentials", args: [...V, ...OUT], message: /auth error \(invalid_client\)/, code: 3, env: { TIKTOK_CLIENT_SECRET: "wrong-secret-value" } }
]

// What the CLI says and returns, so in this process (no Node start per case); the exit code a
// process gets from `main` is the CLI's end-to-end tests' concern. One case after another: the
// cases share one directory and its state, and a case that gets as far as a run takes the state's
// lock (run concurrently, "refused credentials" once met another case's lock on CI).
describe("bad input: one line naming the option or field, and the exit code", () => {
  it.each(cases)("$name", async ({ args, message, code, env }) => {
    const result = await runCliInProcess(args, { cwd: dir, env: fixture.env(env) })
    expect(result.stderr).toMatch(message)
    expect(result.code).toBe(code ?? 2)
    // One line, and never a secret.
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).not.toMatch(/hunter2-secret|wrong-secret-value|sandbox-secret/)
    expect(result.stdout).toBe("")
  })
})
