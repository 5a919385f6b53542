/** Splits a shell command line as `sh` would for the simple quoting `--help` examples use ('…' and "…"). */
export const splitCommand = (line: string): Array<string> => {
  const words: Array<string> = []
  let word: string | undefined
  let quote: "'" | '"' | undefined
  for (const char of line) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else word = (word ?? "") + char
    } else if (char === "'" || char === '"') {
      quote = char
      word ??= ""
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else {
      word = (word ?? "") + char
    }
  }
  if (quote !== undefined) throw new Error(`unbalanced quote in ${line}`)
  if (word !== undefined) words.push(word)
  return words
}
