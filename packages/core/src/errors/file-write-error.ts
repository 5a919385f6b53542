import * as Data from "effect/Data"

type Operation = "open" | "write" | "sync" | "verify" | "rename"

interface FileWriteFailure {
  readonly path: string
  readonly operation: Operation
  /** The system error code (`ENOSPC`, `EFBIG`, `EIO`, …), `SHORT_WRITE` or `VERIFY`. */
  readonly code: string
  /** Why, in words: `no space left on device`. */
  readonly reason: string
  readonly bytesWritten: number
  readonly bytesExpected: number
}

/**
 * A file could not be written whole: the disk filled (`ENOSPC`), a size limit was hit (`EFBIG`),
 * a write made no progress (`SHORT_WRITE`), the file on disk is not what was written (`VERIFY`),
 * or the sync or rename failed. `message` is one line naming the file, the step, the bytes that
 * got out and why.
 */
export class FileWriteError extends Data.TaggedError("FileWriteError")<FileWriteFailure & { readonly message: string }> {
  static make(fields: FileWriteFailure): FileWriteError {
    const { path, operation, code, reason, bytesWritten, bytesExpected } = fields
    return new FileWriteError({
      ...fields,
      message: `${path}: ${operation} failed after ${bytesWritten} of ${bytesExpected} bytes: ${reason} (${code})`
    })
  }

  /** `cause` (a Node system error, or a `FileWriteError` of an inner step) as the failure of `operation`. */
  static of(
    path: string,
    operation: Operation,
    progress: { readonly bytesWritten: number; readonly bytesExpected: number },
    cause: unknown
  ): FileWriteError {
    if (cause instanceof FileWriteError) {
      return FileWriteError.make({ path, operation: cause.operation, code: cause.code, reason: cause.reason, ...progress })
    }
    const error = cause as NodeJS.ErrnoException
    const code = typeof error?.code === "string" ? error.code : "EIO"
    // Node says `ENOSPC: no space left on device, write`: keep the words, drop the code and syscall.
    const reason = (error instanceof Error ? error.message : String(cause)).split("\n")[0].replace(/^[A-Z0-9_]+: /, "").replace(/, \w+( '.*')?$/, "")
    return FileWriteError.make({ path, operation, code, reason, ...progress })
  }
}
