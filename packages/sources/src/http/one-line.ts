/** Text from the API (a message, a body, a header) as one short line: errors are shown on one line. */
export const oneLine = (text: string, max = 120): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > max ? flat.slice(0, max) + "…" : flat
}
