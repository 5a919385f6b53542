/** Size of one arena chunk; a fragment never straddles two. */
const CHUNK_BYTES = 1 << 24

/**
 * Append-only byte storage outside the JS heap: fragments live in a few large buffers, so caching
 * millions of them costs the garbage collector nothing. Stops accepting once its budget is spent.
 */
export class FragmentArena {
  private readonly chunks: Array<Buffer> = []
  private used = CHUNK_BYTES

  constructor(private readonly budgetBytes: number) {}

  get bytes(): number {
    return this.chunks.length * CHUNK_BYTES
  }

  /**
   * Stores `text` as UTF-8; returns its global offset (chunk · 2^24 + offset) and byte length,
   * or undefined when the budget is spent.
   */
  append(text: string): { readonly at: number; readonly written: number } | undefined {
    const worst = text.length * 3
    if (worst > CHUNK_BYTES) return undefined
    if (this.used + worst > CHUNK_BYTES) {
      if ((this.chunks.length + 1) * CHUNK_BYTES > this.budgetBytes) return undefined
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK_BYTES))
      this.used = 0
    }
    const chunk = this.chunks.length - 1
    const written = this.chunks[chunk].write(text, this.used, "utf8")
    const at = chunk * CHUNK_BYTES + this.used
    this.used += written
    return { at, written }
  }

  /** Copies `length` bytes stored at `at` into `target` at `offset`; returns `length`. */
  copy(at: number, length: number, target: Buffer, offset: number): number {
    const chunk = Math.floor(at / CHUNK_BYTES)
    const start = at - chunk * CHUNK_BYTES
    return this.chunks[chunk].copy(target, offset, start, start + length)
  }
}
