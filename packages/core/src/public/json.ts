/** JSON as the API sends it: ids beyond 2^53 kept exact (as decimal strings), and a canonical form for hashing. */
export { JsonSyntaxError, parseLosslessJson as parseLossless, quoteUnsafeIntegers } from "../json/lossless-json.js"
export { canonicalJson as canonical } from "../json/canonical-json.js"
