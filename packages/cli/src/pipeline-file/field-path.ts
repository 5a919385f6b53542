/** A position inside a pipeline file's document, e.g. `["jobs", 0, "source", "from"]`. */
export type FieldPath = ReadonlyArray<string | number>

/** `jobs[0].source.from` */
export const formatFieldPath = (path: FieldPath): string =>
  path.reduce<string>((text, key) => typeof key === "number" ? `${text}[${key}]` : text === "" ? key : `${text}.${key}`, "")
