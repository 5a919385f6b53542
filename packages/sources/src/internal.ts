// Everything sources has: the public surface plus the parts the other tikflow packages and the
// tests use (`@tikflow/sources/internal`, no stability promise; applications use `@tikflow/sources`).
export * from "./index.js"
// The client's parts: transport, tokens, response classification, base-URL checks.
export { TokenProvider } from "./auth/token-provider.js"
export * from "./http/http-transport.js"
export { classifyResponse, retryAfterMs } from "./http/classify-response.js"
export { checkBaseUrl, isLoopbackHost } from "./http/base-url.js"
export { DEFAULT_MAX_RETRY_AFTER_MS } from "./client/client-config.js"
export type { VideoQueryState, WindowState } from "./sources/video-query.js"
export { harvestIdOf } from "./harvest/harvest-id.js"
export type { KeyedState } from "./harvest/keyed-pages.js"
