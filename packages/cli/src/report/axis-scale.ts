/**
 * A count axis from 0: `steps` equal ticks of the smallest "nice" integer step (1, 2, 2.5 or
 * 5 × 10^k) whose top reaches the largest value, so bars and gridlines read at a glance.
 */
export interface ValueScale {
  readonly max: number
  readonly ticks: ReadonlyArray<number>
}

export const valueScale = (largest: number, steps = 4): ValueScale => {
  const step = niceStep(Math.max(largest, 1) / steps)
  return { max: step * steps, ticks: Array.from({ length: steps + 1 }, (_, i) => i * step) }
}

const niceStep = (atLeast: number): number => {
  for (let magnitude = 1; ; magnitude *= 10) {
    const step = [1, 2, 2.5, 5].map((m) => m * magnitude).find((s) => Number.isInteger(s) && s >= atLeast)
    if (step !== undefined) return step
  }
}
