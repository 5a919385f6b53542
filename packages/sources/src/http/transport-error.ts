import { NetworkError, UnusableResponseError } from "@tikflow/core/internal"
import { ResponseTooLarge, TransportFailure } from "./http-transport.js"

/**
 * What a failed `HttpTransport.post` means for the caller: an oversized body is an
 * `UnusableResponseError` (not retried: the same request gets the same body), anything else a
 * `NetworkError` of the transport's kind (retried).
 */
export const transportError = (endpoint: string, error: unknown): NetworkError | UnusableResponseError =>
  error instanceof ResponseTooLarge
    ? new UnusableResponseError({ endpoint, reason: "too_large", status: error.status, message: error.message })
    : new NetworkError({
      endpoint,
      kind: error instanceof TransportFailure ? error.kind : "other",
      // Transport messages never include the request body, so no secret can leak here.
      message: error instanceof Error ? error.message : "request failed"
    })
