import type { SandboxOptions } from "@tikflow/sandbox"
import { startSandbox } from "@tikflow/sandbox"

/** Where the examples harvest from: a real API base URL and credentials, or an embedded sandbox. */
export interface ConnectionOptions {
  /** API base URL. When absent, an embedded sandbox is started for the run and stopped after. */
  readonly baseUrl?: string | undefined
  readonly credentials?: { readonly clientKey: string; readonly clientSecret: string } | undefined
  /** Options of the sandbox started when no `baseUrl` is given. */
  readonly sandbox?: SandboxOptions | undefined
}

export interface Connection {
  readonly baseUrl: string
  readonly credentials: { readonly clientKey: string; readonly clientSecret: string } | undefined
  readonly close: () => Promise<void>
}

export const connect = async (options: ConnectionOptions): Promise<Connection> => {
  if (options.baseUrl !== undefined) {
    return { baseUrl: options.baseUrl, credentials: options.credentials, close: async () => {} }
  }
  const sandbox = await startSandbox({ world: { users: 80, videos: 3_000, startDate: "2024-01-01", days: 30 }, ...options.sandbox })
  return { baseUrl: sandbox.url, credentials: sandbox.credentials, close: () => sandbox.stop() }
}
