export { main, type MainIo } from "./main.js"
export { ExitCode, exitCodeMeanings } from "./exit-codes.js"
export type { Command, Example } from "./commands/command.js"
export { commands } from "./commands/index.js"
