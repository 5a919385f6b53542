import { shownValue } from "./refused-value.js"

/**
 * Thrown for a value an int64 column cannot take exactly; the caller names the column. Its own
 * file: the PostgreSQL sink refuses the same values without loading Arrow (column-data.ts).
 */
export class NotAnInt64 extends RangeError {
  constructor(readonly row: number, readonly value: unknown) {
    super(`expected an integer in ±(2^53 - 1), got ${shownValue(value)}`)
  }
}
