/** `TIKFLOW_RELIABILITY=long` runs every test longer; the default short mode is what CI runs. */
export const longMode = process.env.TIKFLOW_RELIABILITY === "long"
export const mode = longMode ? "long" : "short"

/** `short` in short mode, `long` in long mode. */
export const bySize = <A>(short: A, long: A): A => (longMode ? long : short)
