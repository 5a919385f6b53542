const DAY_MS = 86_400_000
const dayOf = (text: string) => Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8)) / DAY_MS
const format = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "")

/** Inclusive YYYYMMDD windows of at most `size` days covering [start, end], as the API demands. */
export const windowsOf = (start: string, end: string, size = 30): Array<{ start_date: string; end_date: string }> => {
  const out = []
  for (let s = dayOf(start); s <= dayOf(end); s += size) out.push({ start_date: format(s), end_date: format(Math.min(dayOf(end), s + size - 1)) })
  return out
}
