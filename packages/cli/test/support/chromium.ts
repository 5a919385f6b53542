import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

/** Debian's chromium (`.ci/run` installs it); CHROMIUM names another binary. */
export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium"

export interface ChromiumPage {
  /** Evaluates an expression in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>
  /** Every URL the page asked for after its own (none for a self-contained page). */
  readonly requests: ReadonlyArray<string>
  /** Console messages, uncaught exceptions and browser log entries (CSP violations among them). */
  readonly problems: ReadonlyArray<string>
  close(): Promise<void>
}

interface Message {
  readonly id?: number
  readonly method?: string
  readonly params?: Record<string, any>
  readonly result?: Record<string, any>
  readonly error?: { message: string }
  readonly sessionId?: string
}

/**
 * Opens a local HTML file in a real headless Chromium and drives it over the DevTools protocol
 * (`--remote-debugging-pipe`: JSON messages on fds 3 and 4, so no WebSocket library), after
 * its load event, with its layout done.
 */
export const openInChromium = async (file: string): Promise<ChromiumPage> => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM`)
  }
  const profile = mkdtempSync(join(tmpdir(), "tikflow-chromium-"))
  const child = spawn(chromiumPath, [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
    "--remote-debugging-pipe", `--user-data-dir=${profile}`, "about:blank"
  ], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] })
  const toBrowser = child.stdio[3] as NodeJS.WritableStream
  const fromBrowser = child.stdio[4] as NodeJS.ReadableStream
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>()
  const listeners: Array<(m: Message) => void> = []
  const requests: Array<string> = []
  const problems: Array<string> = []
  let nextId = 0
  let buffered = ""
  fromBrowser.setEncoding("utf8")
  fromBrowser.on("data", (chunk: string) => {
    buffered += chunk
    for (let end = buffered.indexOf("\0"); end >= 0; end = buffered.indexOf("\0")) {
      const message = JSON.parse(buffered.slice(0, end)) as Message
      buffered = buffered.slice(end + 1)
      if (message.id !== undefined) {
        const waiter = pending.get(message.id)
        pending.delete(message.id)
        if (message.error) waiter?.reject(new Error(`chromium: ${message.error.message}`))
        else waiter?.resolve(message)
      } else for (const listener of listeners) listener(message)
    }
  })
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  child.on("exit", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("chromium exited"))
    pending.clear()
  })
  const send = (method: string, params: object = {}, sessionId?: string): Promise<Message> =>
    new Promise((resolve, reject) => {
      const id = ++nextId
      pending.set(id, { resolve, reject })
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`)
    })
  const close = async () => {
    await send("Browser.close").catch(() => undefined)
    await exited
    rmSync(profile, { recursive: true, force: true })
  }
  try {
    const target = await send("Target.createTarget", { url: "about:blank" })
    const attached = await send("Target.attachToTarget", { targetId: target.result!.targetId, flatten: true })
    const session = attached.result!.sessionId as string
    const url = pathToFileURL(file).href
    listeners.push((message) => {
      if (message.sessionId !== session) return
      if (message.method === "Network.requestWillBeSent" && message.params!.request.url !== url) requests.push(message.params!.request.url)
      if (message.method === "Runtime.consoleAPICalled") problems.push(`console.${message.params!.type}`)
      if (message.method === "Runtime.exceptionThrown") problems.push(message.params!.exceptionDetails.text)
      if (message.method === "Log.entryAdded") problems.push(message.params!.entry.text)
    })
    const loaded = new Promise<void>((resolve) => listeners.push((m) => m.sessionId === session && m.method === "Page.loadEventFired" && resolve()))
    for (const domain of ["Page", "Network", "Runtime", "Log"]) await send(`${domain}.enable`, {}, session)
    await send("Page.navigate", { url }, session)
    await loaded
    return {
      requests,
      problems,
      close,
      async evaluate<T>(expression: string): Promise<T> {
        const reply = await send("Runtime.evaluate", { expression, returnByValue: true }, session)
        if (reply.result!.exceptionDetails) throw new Error(`in the page: ${reply.result!.exceptionDetails.exception?.description ?? reply.result!.exceptionDetails.text}`)
        return reply.result!.result.value as T
      }
    }
  } catch (error) {
    await close()
    throw error
  }
}
