import type { Video } from "@tikflow/core/internal"
import { videoFields } from "@tikflow/core/internal"
import fc from "fast-check"

/** What happens to the run at one epoch. */
export type EpochFate =
  | "committed"
  /** The writer is abandoned after part of the epoch's records (no flush, no close). */
  | "crash-mid-write"
  /** Abandoned after every record of the epoch, before its flush. */
  | "crash-before-flush"
  /** Flushed, then abandoned before the runner committed its checkpoint: the epoch is not acknowledged. */
  | "crash-after-flush"

export interface ContractEpoch {
  /** Each inner array is one `write` call. */
  readonly batches: ReadonlyArray<ReadonlyArray<Video>>
  /** The first time the run reaches this epoch; a resumed run always commits it. */
  readonly fate: EpochFate
}

export interface ContractScenario {
  readonly epochs: ReadonlyArray<ContractEpoch>
  /** Before each resume, open and close a writer without a resume point (as a probing runner does). */
  readonly probeBeforeResume: boolean
}

/** A complete video (every field present) whose text fields carry awkward characters. */
const videoArb = (id: string): fc.Arbitrary<Video> =>
  fc.record({
    username: fc.option(fc.constantFrom("user_00001", "a,b", "say \"hi\"", "line\nbreak", "日本語 🎉"), { nil: null }),
    like_count: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    create_time: fc.option(fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }), { nil: null })
  }).map((fields) => ({ ...(Object.fromEntries(videoFields.map((field) => [field, null])) as unknown as Video), ...fields, id }))

const idArb = fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 53n }), fc.bigInt({ min: 2n ** 63n, max: 2n ** 64n - 1n })).map(String)

const epochArb = (ids: ReadonlyArray<string>): fc.Arbitrary<ContractEpoch> =>
  fc.record({
    batches: fc.tuple(...ids.map(videoArb)).chain((videos) =>
      fc.integer({ min: 0, max: videos.length }).map((cut) => [videos.slice(0, cut), videos.slice(cut)].filter((b) => b.length > 0))
    ),
    fate: fc.oneof(
      { weight: 4, arbitrary: fc.constant<EpochFate>("committed") },
      { weight: 1, arbitrary: fc.constantFrom<EpochFate>("crash-mid-write", "crash-before-flush", "crash-after-flush") }
    )
  })

/** Records with unique ids over 1–6 epochs (an epoch may be empty), each epoch a possible crash. */
export const contractScenarioArb: fc.Arbitrary<ContractScenario> = fc
  .uniqueArray(idArb, { minLength: 1, maxLength: 40 })
  .chain((ids) =>
    fc.array(fc.nat({ max: ids.length }), { minLength: 1, maxLength: 6 }).chain((cuts) => {
      const bounds = [0, ...[...cuts].sort((a, b) => a - b), ids.length]
      const slices = bounds.slice(1).map((end, i) => ids.slice(bounds[i], end))
      return fc.record({ epochs: fc.tuple(...slices.map(epochArb)), probeBeforeResume: fc.boolean() })
    })
  )
