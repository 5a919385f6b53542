import type { Command } from "./command.js"
import { pluginsCommand } from "./plugins.js"
import { quotaCommand } from "./quota.js"

/** Every `tikflow` command, in the order `tikflow --help` lists them. */
export const commands: ReadonlyArray<Command> = [
  quotaCommand,
  pluginsCommand
]
