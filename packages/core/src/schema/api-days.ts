/**
 * The first day the Research API can hold videos for: musical.ly, whose videos TikTok took over,
 * launched in 2014. A window before it costs a request and can only come back empty.
 * No imports: the CLI checks its date flags against it at startup (`@tikflow/core/api-days`)
 * without loading the rest of core.
 */
export const FIRST_API_DAY = "2014-01-01"
