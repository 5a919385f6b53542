import type { RawResponse } from "@tikflow/core/internal"

/**
 * Keeps the last HTTP response of one logical request (its final answer after retries, token
 * refreshes and new searches), to put on the page it makes (`SourcePage.responses`).
 */
export const finalResponse = () => {
  let last: RawResponse | undefined
  return {
    /** Pass as `ApiRequest.onResponse`. */
    onResponse: (response: RawResponse): void => void (last = response),
    /** The final response as the page's `responses` (empty when none came back). */
    responses: (): ReadonlyArray<RawResponse> => (last === undefined ? [] : [last])
  }
}
