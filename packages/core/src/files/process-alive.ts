import { hostname } from "node:os"

/** Whether a process on this machine is alive (`kill(pid, 0)`: EPERM means alive but not ours). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Whether a process recorded by its pid and host is known to be gone: one of this machine that is not alive. */
export const isDeadHere = (recorded: { readonly pid: number; readonly host: string }): boolean =>
  recorded.host === hostname() && !isProcessAlive(recorded.pid)
