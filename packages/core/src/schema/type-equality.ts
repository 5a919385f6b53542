/** Compile-time proof that two types are identical (readonly-ness and optionality included). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** Fails to compile unless its type argument is `true`: `assertTrue<Equals<X, Y>>()`. */
export const assertTrue = <T extends true>(): T | undefined => undefined
