/** The CLI's own sinks (coverage counts, collected ids): not the user's outputs. */
export const isInternalSink = (name: string): boolean => /^(collector|history):/.test(name)
