/**
 * How much of a harvest is done, in the units the user thinks in: days of a video query's range
 * covered, or items (users, videos) of a fan-out. Read from the source's resume state, plus — for a
 * window still running — the oldest video delivered so far: a window's videos come newest first,
 * so everything from its last day down to that video's day is covered. Without that, a 30-day
 * window counted nothing until it finished, and the share stayed near 0 while the ETA grew.
 */
export const workOfState = (
  state: unknown,
  keys: number | undefined,
  oldestDayOf: ReadonlyMap<string, number> = new Map()
): { done: number; total: number } | undefined => {
  const s = state as { windows?: ReadonlyArray<{ start?: unknown; end?: unknown; done?: unknown }>; index?: unknown } | null
  if (s && Array.isArray(s.windows)) {
    let done = 0
    let total = 0
    for (const window of s.windows) {
      const first = dayOf(String(window.start))
      const last = dayOf(String(window.end))
      if (first === undefined || last === undefined) return undefined
      const days = last - first + 1
      total += days
      if (window.done === true) done += days
      else {
        const oldest = oldestDayOf.get(`${window.start}-${window.end}`)
        if (oldest !== undefined) done += Math.min(days, Math.max(0, last - oldest))
      }
    }
    return { done, total }
  }
  if (s && typeof s.index === "number" && keys !== undefined) return { done: Math.min(s.index, keys), total: keys }
  return undefined
}

/** Notes, per window of a video query's state, the oldest day of the videos delivered in it. */
export const noteOldestDays = (
  state: unknown,
  records: ReadonlyArray<unknown>,
  oldestDayOf: Map<string, number>
): void => {
  const windows = (state as { windows?: ReadonlyArray<{ start?: unknown; end?: unknown; done?: unknown }> } | null)?.windows
  if (!Array.isArray(windows)) return
  // Each window's days parsed once per page, not once per record.
  const open = windows.flatMap((w) => {
    const first = dayOf(String(w.start))
    const last = dayOf(String(w.end))
    return first === undefined || last === undefined ? [] : [{ first, last, done: w.done === true, key: `${w.start}-${w.end}` }]
  })
  for (const record of records) {
    const createTime = (record as { create_time?: unknown }).create_time
    if (typeof createTime !== "number") continue
    const day = Math.floor(createTime / 86_400)
    const window = open.find((w) => w.first <= day && day <= w.last)
    if (window === undefined || window.done) continue
    const seen = oldestDayOf.get(window.key)
    if (seen === undefined || day < seen) oldestDayOf.set(window.key, day)
  }
}

/**
 * Days since the epoch of `YYYYMMDD` or `YYYY-MM-DD`. Remembered: every page's state names the
 * same few window bounds, which were parsed by a regex twice per window per page.
 */
const dayOf = (text: string): number | undefined => {
  let day = parsedDays.get(text)
  if (day === undefined && !parsedDays.has(text)) {
    const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text)
    day = match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) / 86_400_000 : undefined
    if (parsedDays.size >= MAX_PARSED_DAYS) parsedDays.clear()
    parsedDays.set(text, day)
  }
  return day
}
const parsedDays = new Map<string, number | undefined>()
const MAX_PARSED_DAYS = 10_000
