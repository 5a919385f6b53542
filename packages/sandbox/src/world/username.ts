/** Account handles are `user_` plus the 1-based account number, zero-padded to five digits. */
export const usernameOf = (index: number): string => "user_" + String(index + 1).padStart(5, "0")

/** The 0-based account number of a handle, or -1 when the handle is not of that form. */
export const userIndexOf = (username: string): number => {
  const match = /^user_(\d{5,7})$/.exec(username)
  if (!match) return -1
  const number = Number(match[1])
  return usernameOf(number - 1) === username ? number - 1 : -1
}
