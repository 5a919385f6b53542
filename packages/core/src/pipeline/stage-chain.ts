import * as Effect from "effect/Effect"
import type { Scope } from "effect"
import type { RecordKind } from "../records/record-kind.js"
import type { StageStats, Transform, TransformStep } from "../transform/transform.js"

/** The pipeline's stages, open and run in order. */
export interface StageChain<E, R> {
  /** One page's records through every stage. */
  readonly process: (records: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<unknown>, E, R>
  /** Input ended: each stage's held records go through the stages after it. */
  readonly end: Effect.Effect<ReadonlyArray<unknown>, E, R>
  /** Whether a stage holds records back (an epoch is never committed then). */
  readonly held: () => boolean
  readonly commit: (epoch: number) => Effect.Effect<void, E, R>
  readonly stats: () => ReadonlyArray<StageStats & { readonly name: string }>
}

export const openStages = <E, R>(
  stages: ReadonlyArray<Transform<any, any, any, any>>,
  context: { readonly recordKind: RecordKind; readonly harvestId: string; readonly resumeEpoch: number | undefined }
): Effect.Effect<StageChain<E, R>, E, R | Scope.Scope> =>
  Effect.gen(function*() {
    const steps: Array<TransformStep<unknown, unknown, E, R>> = []
    for (const stage of stages) {
      steps.push(
        yield* (stage as Transform<unknown, unknown, E, R>).open({
          recordKind: context.recordKind,
          harvestId: context.harvestId,
          resume: context.resumeEpoch === undefined ? undefined : { epoch: context.resumeEpoch },
          epochs: true
        })
      )
    }
    // Once per page: no stage (or nothing to process) and one stage take no generator.
    const process = (records: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<unknown>, E, R> =>
      steps.length === 0 || records.length === 0
        ? Effect.succeed(records)
        : steps.length === 1
        ? steps[0].process(records)
        : Effect.gen(function*() {
          let current = records
          for (const step of steps) {
            if (current.length === 0) break
            current = yield* step.process(current)
          }
          return current
        })
    const end = Effect.gen(function*() {
      let carry: ReadonlyArray<unknown> = []
      for (const step of steps) {
        const processed = carry.length === 0 ? [] : yield* step.process(carry)
        const ended = yield* step.end
        carry = processed.length === 0 ? ended : [...processed, ...ended]
      }
      return carry
    })
    return {
      process,
      end,
      held: () => steps.some((step) => step.held() > 0),
      commit: (epoch) => Effect.forEach(steps, (step) => step.commit(epoch), { discard: true }),
      stats: () => stages.map((stage, i) => ({ name: stage.name, ...steps[i].stats() }))
    }
  })
