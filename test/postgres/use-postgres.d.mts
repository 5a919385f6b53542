import type { TestPostgres } from "./postgres-server.mjs"
export declare const usePostgres: (options?: { durable?: boolean }) => TestPostgres
