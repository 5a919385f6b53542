/**
 * A guard for a tagged error by its `_tag`, not its class: a plugin on its own copy of
 * @tikflow/core (the CLI is bundled with its own) throws instances of another class of the same name.
 */
export const hasTag =
  <E extends { readonly _tag: string }>(tag: E["_tag"]) =>
  (value: unknown): value is E =>
    (value as { _tag?: unknown } | null)?._tag === tag
