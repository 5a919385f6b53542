import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ConfigError, DecodeError, readArchiveFile } from "@tikflow/core/internal"
import type { AnyRecord, ArchivedResponse, RecordKind, Source, SourceError, SourcePage } from "@tikflow/core/internal"
import { archivedStreamOf, recordsOfArchived } from "./archived-pages.js"

/** What a replay needs to know of an archive file before reading it: its harvest, endpoint and stream. */
export interface ArchivedHarvest {
  readonly file: string
  readonly harvestId: string
  readonly endpoint: string
  readonly kind: RecordKind
  readonly stream: string
  /** The first archived response (undefined: the harvest committed none). */
  readonly first: ArchivedResponse | undefined
}

/** Reads an archive file's first line to learn its harvest; a file with no response yet gives `first: undefined`. */
export const inspectArchive = async (file: string): Promise<ArchivedHarvest | undefined> => {
  for await (const first of readArchiveFile(file)) {
    const stream = archivedStreamOf(first.endpoint)
    if (stream === undefined) throw ConfigError.make(`${file}:1: endpoint`, "a research endpoint tikflow harvests", first.endpoint)
    return { file, harvestId: first.harvestId, endpoint: first.endpoint, ...stream, first }
  }
  return undefined
}

/**
 * The archived responses of a harvest, pass by pass (see `ArchivedResponse.pass`): one async
 * iterable per pass, to be read in turn (each ends where the next pass's first response is).
 * The file is read once.
 */
export async function* archivedPasses(harvest: ArchivedHarvest): AsyncGenerator<AsyncIterable<ArchivedResponse>> {
  const lines = readArchiveFile(harvest.file)[Symbol.asyncIterator]()
  let next = await lines.next()
  while (next.done !== true) {
    const pass = next.value.pass
    async function* onePass(): AsyncGenerator<ArchivedResponse> {
      while (next.done !== true && next.value.pass === pass) {
        yield next.value
        next = await lines.next()
      }
    }
    const current = onePass()
    yield current
    // Whatever the consumer left of this pass is skipped, so the next one starts at its own first line.
    for await (const _ of current) void _
  }
}

/**
 * A source that replays archived responses of a harvest (a pass of it, from `archivedPasses`): one
 * page per response, in the order they were delivered, made by the same decoders as when they
 * arrived, each carrying its response (so the runner stamps the same provenance) and committed in
 * the epoch the harvest committed it in (`SourcePage.epoch`). It sends no request and needs no client.
 */
export const archiveSource = (harvest: ArchivedHarvest, responses: AsyncIterable<ArchivedResponse>): Source<RecordKind> => ({
  kind: harvest.kind,
  stream: harvest.stream,
  harvestId: harvest.harvestId,
  pages: () => {
    let page = 0
    return Stream.fromAsyncIterable(
      responses,
      (error) => new DecodeError({ endpoint: harvest.endpoint, path: "archive", message: error instanceof Error ? error.message : String(error) })
    ).pipe(
      Stream.mapEffect((response) =>
        Effect.gen(function*() {
          page++
          const where = `${harvest.file}: epoch ${response.epoch}, response ${page} of pass ${response.pass}`
          if (response.harvestId !== harvest.harvestId || response.endpoint !== harvest.endpoint) {
            return yield* new DecodeError({
              endpoint: response.endpoint,
              path: "harvest_id",
              message: `${where}: a response of ${response.harvestId} (${response.endpoint}) in the archive of ${harvest.harvestId}`
            })
          }
          const records = yield* recordsOfArchived(response, where)
          // Committed in the harvest's own epoch; the state says nothing of where the harvest's
          // source stood (a run of the harvest resuming at a replay's checkpoint starts its plan over).
          return { records, state: null, responses: [response], epoch: response.epoch } satisfies SourcePage<AnyRecord>
        })
      )
    ) as unknown as Stream.Stream<SourcePage<never>, SourceError>
  }
})
