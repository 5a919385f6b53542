import type { Checkpoint, RecordKind, SinkLogger, StreamContext } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface CapturingLogger extends SinkLogger {
  readonly lines: Array<string>
}

export const capturingLogger = (): CapturingLogger => {
  const lines: Array<string> = []
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`)
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") }
}

export const streamContext = (
  kind: RecordKind,
  overrides: Partial<StreamContext> = {}
): StreamContext & { logger: CapturingLogger } => ({
  harvestId: "harvest-1",
  recordKind: kind,
  stream: `${kind}s`,
  primaryKey: recordKinds[kind].primaryKey,
  signal: new AbortController().signal,
  resume: undefined,
  ...overrides,
  logger: capturingLogger()
})

export const checkpoint = (epoch: number, harvestId = "harvest-1"): Checkpoint => ({
  version: 1,
  harvestId,
  epoch,
  state: { cursor: epoch },
  updatedAt: new Date(0).toISOString()
})

export const tempDir = (prefix = "tikflow-sinks-") => mkdtemp(join(tmpdir(), prefix))

/** Splits records into `parts` consecutive chunks (some possibly empty). */
export const chunk = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const out: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
