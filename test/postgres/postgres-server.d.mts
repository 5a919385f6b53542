export interface TestPostgres {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly database: string
  readonly dir: string
  readonly binDir: string
  uri(options?: { db?: string; query?: string; withPassword?: boolean }): string
  env(): Record<string, string>
  /** Runs SQL as the superuser over the unix socket; returns psql's unaligned output. */
  psql(sql: string, db?: string): string
  /** Takes the server away (immediate shutdown); `start()` brings it back on the same port. */
  stop(): void
  start(): void
  destroy(): void
}
export declare const postgresBinDir: () => string
export declare const startPostgres: (options?: { durable?: boolean }) => Promise<TestPostgres>
