import { startSandbox } from "@tikflow/sandbox"
import { describe, expect, it } from "vitest"
import { post, requestToken, token } from "./support/client.js"

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }
const body = { query, start_date: "20240101", end_date: "20240105", max_count: 5 }

describe("tokens", () => {
  it("issues clt. tokens with the configured lifetime and refuses bad credentials with a flat error", async () => {
    const sandbox = await startSandbox({ tokenLifetimeSeconds: 60 })
    try {
      const ok = await requestToken(sandbox)
      expect(ok.status).toBe(200)
      expect(ok.json).toMatchObject({ expires_in: 60, token_type: "Bearer" })
      expect(ok.json.access_token).toMatch(/^clt\./)
      const bad = await requestToken(sandbox, sandbox.credentials.clientKey, "wrong")
      expect(bad.status).toBe(401)
      expect(bad.json.error).toBe("invalid_client")
      expect(typeof bad.json.error_description).toBe("string")
      expect(JSON.stringify(bad.json)).not.toContain("wrong")
      const grant = await fetch(`${sandbox.url}/v2/oauth/token/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "client_key=sandbox-key&client_secret=sandbox-secret&grant_type=password"
      })
      expect(grant.status).toBe(400)
      expect(((await grant.json()) as any).error).toBe("invalid_request")
      expect(sandbox.stats.tokensIssued).toBe(1)
      expect(sandbox.stats.requests["oauth/token"]).toBe(3)
    } finally {
      await sandbox.stop()
    }
  })

  it("answers 401 access_token_invalid without a token, with an unknown one, and once the token expired", async () => {
    let now = Date.UTC(2025, 5, 1, 12)
    const sandbox = await startSandbox({ tokenLifetimeSeconds: 7200, clock: () => now })
    try {
      const accessToken = await token(sandbox)
      for (const t of [undefined, "clt.nope"]) {
        const answer = await post(sandbox, "video/query", "id", body, t)
        expect(answer.status).toBe(401)
        expect(answer.json.error.code).toBe("access_token_invalid")
      }
      now += 7199_000
      expect((await post(sandbox, "video/query", "id", body, accessToken)).status).toBe(200)
      now += 1000
      const expired = await post(sandbox, "video/query", "id", body, accessToken)
      expect(expired.status).toBe(401)
      expect(expired.json.error.code).toBe("access_token_invalid")
    } finally {
      await sandbox.stop()
    }
  })
})

describe("daily quota", () => {
  it("answers 429 rate_limit_exceeded once the day's quota is spent, and resets at 00:00 UTC", async () => {
    let now = Date.UTC(2025, 5, 1, 23, 59, 0)
    const sandbox = await startSandbox({ quotaPerDay: 3, clock: () => now, tokenLifetimeSeconds: 86400 })
    try {
      const accessToken = await token(sandbox)
      for (let k = 0; k < 3; k++) expect((await post(sandbox, "user/info", "display_name", { username: "user_00002" }, accessToken)).status).not.toBe(429)
      const over = await post(sandbox, "video/query", "id", body, accessToken)
      expect(over.status).toBe(429)
      expect(over.json.error.code).toBe("rate_limit_exceeded")
      expect(over.json.error.message ?? over.json.error.msg).toMatch(/daily quota/i)
      expect(sandbox.stats.quotaRejections).toBe(1)
      now = Date.UTC(2025, 5, 1, 23, 59, 59, 999)
      expect((await post(sandbox, "video/query", "id", body, accessToken)).status).toBe(429)
      now = Date.UTC(2025, 5, 2, 0, 0, 0)
      expect((await post(sandbox, "video/query", "id", body, accessToken)).status).toBe(200)
      // The token endpoint does not count against the quota.
      await token(sandbox)
      expect((await post(sandbox, "video/query", "id", body, accessToken)).status).toBe(200)
    } finally {
      await sandbox.stop()
    }
  })
})
