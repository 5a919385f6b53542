/** How the report writes numbers and times: fixed (en-US, UTC) so the page does not depend on the machine. */
export const formatCount = (n: number): string => n.toLocaleString("en-US")

/** `2024-03-01 14:05 UTC`. */
export const formatTime = (time: string): string => {
  const iso = new Date(time).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** `N thing` / `N things`. */
export const plural = (n: number, thing: string): string => `${formatCount(n)} ${thing}${n === 1 ? "" : "s"}`
