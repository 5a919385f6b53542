/**
 * What a webhook writer could not deliver: batches dead-lettered or cancelled by the run's
 * signal, or a dead-letter file that could not be written. `check` throws when the run must
 * not commit (or must stop).
 */
export const undeliveredTally = (where: { readonly url: string; readonly deadLetterPath: string; readonly deadLetterOk: boolean }) => {
  let deadLettered = 0
  let cancelled = 0
  let fatal: Error | undefined
  return {
    deadLettered: () => deadLettered,
    countDeadLetter: () => void deadLettered++,
    countCancelled: () => void cancelled++,
    deadLetterWriteFailed: (error: unknown) => {
      fatal ??= new Error(`could not write the dead-letter file ${where.deadLetterPath}: ${(error as Error).message}`)
    },
    /** The dead letters so far were reported (and accepted under `dead_letter_ok`). */
    resetDeadLetters: () => void (deadLettered = 0),
    check: (): void => {
      if (fatal !== undefined) throw fatal
      if (cancelled > 0) {
        throw new Error(`${cancelled} batch(es) to ${where.url} were not delivered before the run was cancelled; a resumed run sends them again`)
      }
      if (deadLettered > 0 && !where.deadLetterOk) {
        throw new Error(
          `${deadLettered} batch(es) to ${where.url} never got a 2xx and were dead-lettered to ${where.deadLetterPath}` +
            " (pass dead_letter_ok=true to keep going)"
        )
      }
    }
  }
}

export type UndeliveredTally = ReturnType<typeof undeliveredTally>
