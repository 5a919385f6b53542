import type { Sandbox } from "@tikflow/sandbox"
import { parseLossless } from "./lossless-json.js"

export interface Answer {
  readonly status: number
  readonly text: string
  readonly headers: Headers
  readonly json: any
}

export const requestToken = async (sandbox: Sandbox, key = sandbox.credentials.clientKey, secret = sandbox.credentials.clientSecret) => {
  const ask = () =>
    fetch(`${sandbox.url}/v2/oauth/token/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_key: key, client_secret: secret, grant_type: "client_credentials" }).toString()
    })
  // The token endpoint is never faulted, but fault tests destroy sockets of the shared fetch pool;
  // a pooled socket reused just as it is reset fails once with ECONNRESET. One retry on a new one.
  const response = await ask().catch(ask)
  return { status: response.status, json: (await response.json()) as any }
}

export const token = async (sandbox: Sandbox): Promise<string> => (await requestToken(sandbox)).json.access_token

export const post = async (
  sandbox: Sandbox,
  endpoint: string,
  fields: string,
  body: unknown,
  accessToken: string | undefined
): Promise<Answer> => {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`
  const response = await fetch(`${sandbox.url}/v2/research/${endpoint}/?fields=${fields}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body)
  })
  const text = await response.text()
  let json: any
  try {
    json = parseLossless(text)
  } catch {
    json = undefined
  }
  return { status: response.status, text, headers: response.headers, json }
}

/** Follows cursors and search_id until has_more is false; returns every video received. */
export const harvestVideos = async (
  sandbox: Sandbox,
  accessToken: string,
  request: { query: unknown; start_date: string; end_date: string },
  fields: string,
  maxCount = 100
): Promise<{ videos: Array<any>; pages: number }> => {
  const videos: Array<any> = []
  let cursor = 0
  let searchId: string | undefined
  let pages = 0
  for (;;) {
    const answer = await post(sandbox, "video/query", fields, { ...request, max_count: maxCount, cursor, search_id: searchId }, accessToken)
    if (answer.status !== 200) throw new Error(`page ${pages}: ${answer.status} ${answer.text.slice(0, 200)}`)
    pages++
    videos.push(...answer.json.data.videos)
    if (!answer.json.data.has_more) return { videos, pages }
    cursor = answer.json.data.cursor
    searchId = answer.json.data.search_id
  }
}
