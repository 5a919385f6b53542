// The API model: lossless JSON, effect/Schema codecs of every endpoint, and the video query.
export * from "./json/lossless-json.js"
export * from "./json/parse-json-body.js"
