import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The repository root (the README's `$PWD`). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

export const readReadme = (): string => readFileSync(new URL("README.md", `file://${repoRoot}`), "utf8")

/** The text of the `## title` section, up to the next `## ` heading. */
export const section = (markdown: string, title: string): string => {
  const start = markdown.indexOf(`\n## ${title}\n`)
  if (start === -1) throw new Error(`README.md has no "## ${title}" section`)
  const end = markdown.indexOf("\n## ", start + 1)
  return markdown.slice(start, end === -1 ? undefined : end)
}

/** The bodies of the fenced code blocks of a language (```sh, ```yaml, ```ts), in order. */
export const codeBlocks = (markdown: string, language: string): Array<string> =>
  [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((match) => match[1] === language).map((match) => match[2])

/** A line without its trailing `# comment`; a `#` inside quotes or a word (`file.duckdb#videos`) stays. */
const stripComment = (line: string): string => {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const char = line[i]
    if (quote !== undefined) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"') {
      quote = char
    } else if (char === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i)
    }
  }
  return line
}

/** The commands of a shell block as `sh` reads them: `\` continuations joined, comments and blank lines dropped. */
export const shellCommands = (block: string): Array<string> => {
  const commands: Array<string> = []
  let pending = ""
  for (const raw of block.split("\n")) {
    const line = stripComment(raw).trimEnd()
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1).trim() + " "
      continue
    }
    const command = (pending + line.trimStart()).trim()
    pending = ""
    if (command !== "") commands.push(command)
  }
  if (pending.trim() !== "") throw new Error(`a command ends in a \\ continuation: ${pending}`)
  return commands
}

/** ```yaml blocks whose first line is `# NAME: …` hold the file NAME the README's commands use. */
export const namedFiles = (markdown: string): Record<string, string> => {
  const files: Record<string, string> = {}
  for (const block of codeBlocks(markdown, "yaml")) {
    const name = /^# ([\w.-]+\.ya?ml):/.exec(block)?.[1]
    if (name !== undefined) files[name] = block
  }
  return files
}
