import { chmodSync, readdirSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// Inputs and answers that used to hang, exhaust memory, leak a secret or print several lines:
// each is now one line naming the flag, file or field, with the right exit code.

const fixture = useSandbox({ faults: {} })
const dir = tempDir()
const OUT = ["--out", "ndjson:./out/v.ndjson"]
const V = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT]

const expectOneLine = (result: { stderr: string; stdout: string }, message: RegExp) => {
  expect(result.stderr).toMatch(message)
  expect(result.stderr.trim().split("\n")).toHaveLength(1)
  expect(result.stdout).toBe("")
}

describe.concurrent("inputs read from files are bounded (item 9)", () => {
  const cases = [
    { name: "--query-file", args: ["videos", "--query-file", "/dev/zero", "--from", "2024-01-01", "--to", "2024-01-05", ...OUT], message: /^tikflow: --query-file: \/dev\/zero is larger than 1 MiB, the most tikflow reads for it$/m },
    { name: "--plugin", args: [...V, "--plugin", "/dev/zero"], message: /^tikflow: --plugin: sink plugin \/dev\/zero: \/dev\/zero is not a regular file$/m },
    { name: "--usernames-from", args: ["followers", "--usernames-from", "/dev/zero", ...OUT], message: /^tikflow: --usernames-from: \/dev\/zero is larger than 64 MiB/m },
    { name: "--credentials", args: [...V, "--credentials", "/dev/zero"], message: /^tikflow: --credentials: \/dev\/zero is larger than 64 KiB/m },
    { name: "a pipeline file", args: ["run", "/dev/zero"], message: /^tikflow: run: \/dev\/zero is larger than 4 MiB/m }
  ]
  it.each(cases)("$name /dev/zero", async ({ args, message }) => {
    const result = await runCli(args, { cwd: dir, env: fixture.env() })
    expectOneLine(result, message)
    expect(result.code).toBe(2)
  })
})

describe.concurrent("secrets stay off the wire and out of ps (item 10)", () => {
  it("plain http to a non-loopback host is refused before any request, from the flag or the environment", async () => {
    const flag = await runCli([...V, "--base-url", "http://api.example.org"], { cwd: dir, env: fixture.env() })
    expectOneLine(flag, /^tikflow: --base-url: expected an https:\/\/ URL \(plain http is only for loopback hosts: the client secret and tokens would travel unencrypted to api\.example\.org\), got "http:\/\/api\.example\.org"$/m)
    expect(flag.code).toBe(2)
    const env = await runCli(V, { cwd: dir, env: fixture.env({ TIKFLOW_BASE_URL: "http://10.1.2.3:8080" }) })
    expectOneLine(env, /^tikflow: TIKFLOW_BASE_URL: expected an https:\/\/ URL/m)
    expect(env.code).toBe(2)
  })

  it("a webhook secret in an --out URI is refused without echoing it", async () => {
    const result = await runCli([...V.slice(0, -2), "--out", "webhook:https://user:pw@hooks.example/h?secret=hunter2-secret&batch_size=5"], { cwd: dir, env: fixture.env() })
    expectOneLine(result, /^tikflow: --out: webhook:https:\/\/hooks\.example\/h: a secret in the URI is visible to every user in ps .*secret_env=NAME or secret_file=PATH/m)
    expect(result.stderr).not.toMatch(/hunter2|pw@/)
    expect(result.code).toBe(2)
  })

  it("a credentials file readable by others gets a warning naming it and the fix", async () => {
    const file = join(dir, "creds-shared.json")
    writeFileSync(file, JSON.stringify({ client_key: fixture.sandbox.credentials.clientKey, client_secret: fixture.sandbox.credentials.clientSecret }))
    chmodSync(file, 0o644)
    const env = fixture.env({ TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined })
    // Two accounts the API answers for (a refused one would make the run exit 5).
    const [first, second] = Array.from({ length: 30 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`).filter((name) => {
      try {
        fixture.sandbox.groundTruth.userInfo(name)
        return true
      } catch {
        return false
      }
    })
    const shared = await runCli(["user-info", "--username", first, "--out", "ndjson:./out/u1.ndjson", "--credentials", file, "--state", "./state-creds"], { cwd: dir, env })
    expect(shared.code).toBe(0)
    expect(shared.stderr).toContain(`warning: --credentials: ${file} is readable by other users (mode 0644); run chmod 600 ${file}`)
    chmodSync(file, 0o600)
    const owned = await runCli(["user-info", "--username", second, "--out", "ndjson:./out/u2.ndjson", "--credentials", file, "--state", "./state-creds"], { cwd: dir, env })
    expect(owned.code).toBe(0)
    expect(owned.stderr).not.toContain("readable by other users")
  })
})

/** A loopback API whose token endpoint and research endpoints answer as given. */
const startBrokenApi = async (token: (res: import("node:http").ServerResponse) => void) => {
  let requests = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      requests++
      if ((req.url ?? "").startsWith("/v2/oauth/token/")) return token(res)
      res.writeHead(301, { location: "https://open.tiktokapis.example/v2/research/user/info/" })
      res.end("<html>moved</html>")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe.concurrent("one line, naming the file or field (item 11)", () => {
  it("a token-endpoint message with newlines is one line", async () => {
    const api = await startBrokenApi((res) => {
      res.writeHead(401, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "invalid_client", error_description: "Client key or secret\nis invalid.\nSee the docs.", log_id: "l1" }))
    })
    try {
      const result = await runCli(["user-info", "--username", "user_00001", "--out", "ndjson:./out/t.ndjson", "--state", "./state-token"], { cwd: dir, env: fixture.env({ TIKFLOW_BASE_URL: api.url }) })
      expectOneLine(result, /^tikflow: auth error \(invalid_client\): invalid_client: Client key or secret is invalid\. See the docs\.$/m)
      expect(result.code).toBe(3)
    } finally {
      await api.close()
    }
  })

  it("an HTTP 301 is reported as a redirect with its Location, once, not as malformed JSON", async () => {
    const api = await startBrokenApi((res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(`{"access_token":"clt.x","expires_in":7200,"token_type":"Bearer"}`)
    })
    try {
      const result = await runCli(["user-info", "--username", "user_00001", "--out", "ndjson:./out/r.ndjson", "--state", "./state-301"], { cwd: dir, env: fixture.env({ TIKFLOW_BASE_URL: api.url }) })
      expectOneLine(result, /^tikflow: UnusableResponseError \(\/v2\/research\/user\/info\/\): HTTP 301 redirect to https:\/\/open\.tiktokapis\.example\/v2\/research\/user\/info\/; tikflow does not follow redirects: check the base URL/m)
      expect(result.code).toBe(1)
      expect(result.stderr).not.toContain("run the same command again to resume")
      // One token request and one research request: a redirect is not retried.
      expect(api.requests).toBe(2)
    } finally {
      await api.close()
    }
  })

  it("the same --out twice is a usage error (exit 2), not a failed run with resume advice", async () => {
    const result = await runCli([...V, ...OUT], { cwd: dir, env: fixture.env() })
    expectOneLine(result, /^tikflow: --out: ndjson:\.\/out\/v\.ndjson is given twice; give each output once$/m)
    expect(result.code).toBe(2)
  })

  it("dates before the API's data starts are refused, on the command line and in a pipeline file", async () => {
    const flag = await runCli(["videos", "--query", "region_code = US", "--from", "1970-01-01", "--to", "2024-01-05", ...OUT], { cwd: dir, env: fixture.env() })
    expectOneLine(flag, /^tikflow: --from: 1970-01-01 is before the Research API's data starts; expected a date on or after 2014-01-01$/m)
    expect(flag.code).toBe(2)
    writeFileSync(join(dir, "early.yaml"), "sinks: [ndjson:./out/e.ndjson]\njobs:\n  - source: { endpoint: videos, query: region_code = US, from: 2013-12-31, to: 2014-01-02 }\n")
    const file = await runCli(["run", "early.yaml"], { cwd: dir, env: fixture.env() })
    expectOneLine(file, /^tikflow: early\.yaml:3: jobs\[0\]\.source\.from: 2013-12-31 is before the Research API's data starts/m)
    expect(file.code).toBe(2)
  })

  it("a corrupt run-state file is named, with how to recover", async () => {
    const args = ["user-info", "--username", "user_00003", "--out", "ndjson:./out/c.ndjson", "--state", "./state-corrupt"]
    // A refused secret stops the run after its state was saved (exit 3), leaving the state behind.
    const refused = await runCli(args, { cwd: dir, env: fixture.env({ TIKTOK_CLIENT_SECRET: "wrong-secret-value" }) })
    expect(refused.code).toBe(3)
    const runs = join(dir, "state-corrupt", "runs")
    const [stateFile] = readdirSync(runs).filter((name) => name.endsWith(".json"))
    writeFileSync(join(runs, stateFile), "{\"version\": 1, \"harvestsDone\": [")
    const result = await runCli(args, { cwd: dir, env: fixture.env() })
    expectOneLine(result, new RegExp(`^tikflow: .*state-corrupt/runs/${stateFile.replace(".", "\\.")}: not valid JSON \\(.*\\); delete it \\(or pass --fresh\\) to start this run over`, "m"))
    expect(result.code).toBe(2)
    const fresh = await runCli([...args, "--fresh"], { cwd: dir, env: fixture.env() })
    expect(fresh.code).toBe(0)
  })

  it("a failing sink names itself once", async () => {
    const result = await runCli(["user-info", "--username", "user_00004", "--out", "webhook:http://127.0.0.1:9/h?unsigned=true&retries=0&dead_letter=./out/dead.ndjson", "--state", "./state-sink"], { cwd: dir, env: fixture.env() })
    expectOneLine(result, /^tikflow: sink webhook:http:\/\/127\.0\.0\.1:9\/h: flush failed: 1 batch\(es\) to http:\/\/127\.0\.0\.1:9\/h never got a 2xx/m)
    expect(result.stderr.match(/webhook:http:\/\/127\.0\.0\.1:9\/h/g)).toHaveLength(1)
    expect(result.code).toBe(1)
  })
})
