import { fc, test } from "@fast-check/vitest"
import { expect } from "vitest"
import { Redactor } from "../../src/output/redactor.js"

test.prop([fc.string({ minLength: 4, maxLength: 40 }).filter((s) => s.trim() === s && !s.includes("*")), fc.string(), fc.string()])(
  "a registered secret never survives redaction, wherever it appears",
  (secret, before, after) => {
    const redactor = new Redactor()
    redactor.add(secret)
    expect(redactor.redact(`${before}${secret}${after}${secret}`)).not.toContain(secret)
  }
)

test.prop([fc.stringMatching(/^[A-Za-z0-9._-]{8,40}$/)])("access tokens and bearer headers are masked", (token) => {
  const redactor = new Redactor()
  const text = redactor.redact(`token clt.${token} header Authorization: Bearer ${token} body client_secret=${token}&x=1`)
  expect(text).not.toContain(token)
})
