/**
 * What a CLI-internal sink gathers per epoch until that epoch's flush. Such a sink declares
 * `writesDuringFlush` (the runner then delivers epoch N+1 while epoch N flushes: a sink without the
 * flag keeps every sink's commit strict), so a flush takes only the epochs it commits, never the
 * next epoch's writes that arrived meanwhile.
 */
export class EpochPending<T> {
  private readonly byEpoch = new Map<number, T>()

  constructor(private readonly empty: () => T) {}

  /** The gathering of `epoch`, made on first use. */
  of(epoch: number): T {
    let gathered = this.byEpoch.get(epoch)
    if (gathered === undefined) this.byEpoch.set(epoch, gathered = this.empty())
    return gathered
  }

  /** The gatherings of the epochs through `epoch`, oldest first, removed. */
  takeThrough(epoch: number): Array<T> {
    const taken: Array<[number, T]> = []
    for (const entry of this.byEpoch) if (entry[0] <= epoch) taken.push(entry)
    taken.sort((a, b) => a[0] - b[0])
    for (const [at] of taken) this.byEpoch.delete(at)
    return taken.map(([, gathered]) => gathered)
  }
}
