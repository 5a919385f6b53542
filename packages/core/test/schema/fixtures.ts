import { readFileSync } from "node:fs"
import { parseLosslessJson } from "../../src/json/lossless-json.js"

const root = "/work/shared/fixtures"

/** A shared fixture, parsed losslessly as sources do. */
export const fixture = (path: string): unknown => parseLosslessJson(readFileSync(`${root}/${path}`, "utf8"))
