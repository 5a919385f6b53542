/**
 * How much of a harvest is done, read from a source's resume state: a video query's windows
 * (`{windows: [{start, end, done}]}`, counted in days) or a keyed harvest's position in its list
 * of users or videos (`{index}` of `total`). Undefined for a state of another shape.
 */
export const workOfState = (state: unknown, keys: number | undefined): { done: number; total: number } | undefined => {
  const s = state as { windows?: ReadonlyArray<{ start?: unknown; end?: unknown; done?: unknown }>; index?: unknown } | null
  if (s && Array.isArray(s.windows)) {
    let done = 0
    let total = 0
    for (const window of s.windows) {
      const days = daysBetween(String(window.start), String(window.end))
      if (days === undefined) return undefined
      total += days
      if (window.done === true) done += days
    }
    return { done, total }
  }
  if (s && typeof s.index === "number" && keys !== undefined) return { done: Math.min(s.index, keys), total: keys }
  return undefined
}

const dayOf = (text: string): number | undefined => {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text)
  return match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) / 86_400_000 : undefined
}

const daysBetween = (start: string, end: string): number | undefined => {
  const first = dayOf(start)
  const last = dayOf(end)
  return first === undefined || last === undefined ? undefined : last - first + 1
}
