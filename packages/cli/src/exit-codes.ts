/**
 * The `tikflow` exit codes, documented once here and printed by `tikflow --help`.
 * Scripts rely on them: 4 means "the daily quota ran out, run the same command again after the reset".
 */
export const ExitCode = {
  Done: 0,
  Failure: 1,
  Usage: 2,
  Auth: 3,
  QuotaExhausted: 4,
  ItemsRefused: 5,
  MaxRecords: 6,
  KeptCopies: 7,
  ValuesChanged: 8,
  Interrupted: 130,
  Terminated: 143
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export const exitCodeMeanings: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.Done, "done: every record delivered to every sink"],
  [ExitCode.Failure, "failure: the API or a sink failed for good; the checkpoint is kept, re-run to resume"],
  [ExitCode.Usage, "usage or config error: a flag, date, query, sink URI, pipeline file or input file is wrong"],
  [ExitCode.Auth, "auth error: the API refused the credentials or the scope"],
  [ExitCode.QuotaExhausted, "daily quota exhausted: the checkpoint is saved, re-run after the reset (00:00 UTC)"],
  [ExitCode.ItemsRefused, "done, but the API refused some items (unknown videos, private accounts or lists): counted in the summary"],
  [ExitCode.MaxRecords, "stopped at --max-records N: the N records are committed, re-run the same command to continue"],
  [ExitCode.KeptCopies, "done, but an output kept earlier rows of provisional days fetched again beside the new ones: counted in the summary"],
  [ExitCode.ValuesChanged, "done, but an output stored some values changed (a lone surrogate as U+FFFD, a NUL escaped in PostgreSQL): counted in the summary"],
  [ExitCode.Interrupted, "interrupted (SIGINT): sinks flushed, checkpoint saved, re-run to resume"],
  [ExitCode.Terminated, "terminated (SIGTERM): sinks flushed, checkpoint saved, re-run to resume"]
]
