import { ConfigError } from "@tikflow/core/internal"

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`: traffic that never leaves the machine. */
export const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host)
}

/**
 * The API base URL, checked before any request: an absolute http(s) URL, and `https:` unless the
 * host is loopback (the sandbox, a local proxy): over plain http the client secret and every
 * access token would cross the network unencrypted. `field` names where the URL came from.
 */
export const checkBaseUrl = (field: string, text: string): URL => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw ConfigError.make(field, "an http(s) URL", text)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw ConfigError.make(field, "an http(s) URL", text)
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw ConfigError.make(
      field,
      `an https:// URL (plain http is only for loopback hosts: the client secret and tokens would travel unencrypted to ${url.hostname})`,
      text
    )
  }
  return url
}
