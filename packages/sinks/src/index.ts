export * from "./schema/columns.js"
export * from "./schema/arrow-schema.js"
export * from "./schema/record-batch.js"
