/** Whether a process on this machine is alive (`kill(pid, 0)`: EPERM means alive but not ours). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
