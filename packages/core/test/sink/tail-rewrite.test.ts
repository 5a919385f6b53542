import fc from "fast-check"
import { mkdtemp, open, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { applyRewrite, filterTail } from "../../src/sink/tail-rewrite.js"

describe("rewriting a file's tail without some lines, chunk by chunk", () => {
  it("whatever the chunk size: the kept lines in order, the head untouched, every line start moved to its new offset", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tikflow-tail-"))
    let run = 0
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.string({ maxLength: 12 }).map((text) => text.replaceAll("\n", " ")), fc.boolean()), { maxLength: 30 }),
      fc.nat(30),
      fc.integer({ min: 1, max: 40 }),
      fc.boolean(),
      async (lines, headLines, chunk, lastNewline) => {
        const path = join(dir, `f${run++}.ndjson`)
        const texts = lines.map(([text], i) => `${i}:${text}${i < lines.length - 1 || lastNewline ? "\n" : ""}`)
        const content = Buffer.from(texts.join(""))
        await writeFile(path, content)
        const head = Math.min(headLines, texts.length)
        const starts = texts.map((_, i) => Buffer.byteLength(texts.slice(0, i).join("")))
        const from = head < texts.length ? starts[head] : content.length
        const handle = await open(path, "r+")
        try {
          const dropped = new Set(lines.flatMap(([, drop], i) => (drop && i >= head ? [`${i}:`] : [])))
          const result = await filterTail(handle, path, from, content.length, (line) => dropped.has(line.slice(0, line.indexOf(":") + 1)), [...starts, content.length], chunk)
          expect(result.removed).toBe(dropped.size)
          if (result.removed > 0) await applyRewrite(handle, path, { from, length: result.length }, chunk)
          const keptTexts = texts.filter((text, i) => i < head || !dropped.has(`${i}:`))
          expect(await readFile(path, "utf8")).toBe(keptTexts.join(""))
          for (const [i, start] of starts.entries()) {
            if (start < from || dropped.has(`${i}:`)) continue
            const moved = result.moved.get(start)!
            expect(Buffer.from(keptTexts.join("")).subarray(moved).toString().startsWith(`${i}:`)).toBe(true)
          }
          expect(result.moved.get(content.length)).toBe(Buffer.byteLength(keptTexts.join("")))
        } finally {
          await handle.close()
        }
      }
    ), { numRuns: 150 })
  })
})
