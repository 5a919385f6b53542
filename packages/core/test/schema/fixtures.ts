import { readApiFixture } from "../../../../test/fixtures/api-fixtures.js"
import { parseLosslessJson } from "../../src/json/lossless-json.js"

/** A shared fixture, parsed losslessly as sources do. */
export const fixture = (path: string): unknown => parseLosslessJson(readApiFixture(path))
