/**
 * Where a malformed JSON text first goes wrong. Only used after `JSON.parse` has failed (whose
 * messages name a position only for some errors), so it favours brevity over speed.
 */
export const jsonErrorPosition = (text: string): number => {
  let at = 0
  const fail = (): never => {
    throw at
  }
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++
  }
  const literal = (word: string) => {
    for (const char of word) if (text[at++] !== char) return fail()
  }
  const digits = () => {
    const start = at
    while (text[at] >= "0" && text[at] <= "9") at++
    if (at === start) fail()
  }
  const number = () => {
    if (text[at] === "-") at++
    if (text[at] === "0") at++
    else digits()
    if (text[at] === ".") {
      at++
      digits()
    }
    if (text[at] === "e" || text[at] === "E") {
      at++
      if (text[at] === "+" || text[at] === "-") at++
      digits()
    }
  }
  const string = () => {
    at++
    for (;;) {
      const char = text[at]
      if (char === undefined || char < " ") return fail()
      if (char === '"') return void at++
      if (char === "\\") {
        at++
        if (text[at] === "u") {
          for (let i = 1; i <= 4; i++) if (!/[0-9a-fA-F]/.test(text[at + i] ?? "")) return void ((at += i), fail())
          at += 5
        } else if ('"\\/bfnrt'.includes(text[at] ?? "x")) at++
        else fail()
      } else at++
    }
  }
  const value = (): void => {
    space()
    const char = text[at]
    if (char === "{") {
      at++
      space()
      if (text[at] === "}") return void at++
      for (;;) {
        space()
        if (text[at] !== '"') fail()
        string()
        space()
        if (text[at] !== ":") fail()
        at++
        value()
        space()
        if (text[at] === ",") at++
        else if (text[at] === "}") return void at++
        else fail()
      }
    }
    if (char === "[") {
      at++
      space()
      if (text[at] === "]") return void at++
      for (;;) {
        value()
        space()
        if (text[at] === ",") at++
        else if (text[at] === "]") return void at++
        else fail()
      }
    }
    if (char === '"') return string()
    if (char === "t") return literal("true")
    if (char === "f") return literal("false")
    if (char === "n") return literal("null")
    if (char === "-" || (char >= "0" && char <= "9")) return number()
    fail()
  }
  try {
    value()
    space()
    return at < text.length ? at : text.length
  } catch (position) {
    return Math.min(position as number, text.length)
  }
}
