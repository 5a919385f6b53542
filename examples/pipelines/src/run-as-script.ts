import { pathToFileURL } from "node:url"

/** Runs `main` when the module is the process's entry point (`node dist/<example>.js [outDir]`). */
export const runAsScript = <A>(moduleUrl: string, main: (outDir: string) => Promise<A>): void => {
  const entry = process.argv[1]
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return
  main(process.argv[2] ?? "./out").then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error))
      process.exitCode = 1
    }
  )
}
