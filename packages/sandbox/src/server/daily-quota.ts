/** Research requests per client per UTC day; the count resets at 00:00 UTC of the sandbox clock. */
export class DailyQuota {
  private readonly used = new Map<string, { day: number; count: number }>()

  constructor(readonly limit: number) {}

  /** Counts one request; false when the client's quota for today is already spent. */
  take(clientKey: string, now: number): boolean {
    const day = Math.floor(now / 86_400_000)
    let entry = this.used.get(clientKey)
    if (entry === undefined || entry.day !== day) {
      entry = { day, count: 0 }
      this.used.set(clientKey, entry)
    }
    if (entry.count >= this.limit) return false
    entry.count++
    return true
  }

  usedToday(clientKey: string, now: number): number {
    const entry = this.used.get(clientKey)
    return entry !== undefined && entry.day === Math.floor(now / 86_400_000) ? entry.count : 0
  }
}
