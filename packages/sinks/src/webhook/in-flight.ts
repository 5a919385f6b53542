/** Promises running at once, at most `limit`: `whenSlotFree` before starting another. */
export const inFlightSet = (limit: number) => {
  const running = new Set<Promise<void>>()
  return {
    whenSlotFree: async (): Promise<void> => {
      while (running.size >= limit) await Promise.race(running)
    },
    add: (task: Promise<void>): void => {
      const tracked: Promise<void> = task.finally(() => running.delete(tracked))
      running.add(tracked)
    },
    /** Waits for everything running, including what starts while waiting. */
    settle: async (): Promise<void> => {
      while (running.size > 0) await Promise.all(running)
    }
  }
}
