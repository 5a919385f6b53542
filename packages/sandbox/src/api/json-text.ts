/**
 * JSON text as the real API writes it: ids may be bare numbers beyond 2^53, which no JSON
 * serializer emits. Records are built with ids as strings, stringified, and the id members
 * unquoted. Inside JSON strings a quote is escaped, so the pattern only ever matches members.
 */
const quotedId = /"(id|video_id|music_id|playlist_id|parent_comment_id|hashtag_id)":"(\d+)"/g

export const unquoteIds = (json: string): string => json.replace(quotedId, '"$1":$2')

/** JSON text of `value`, with id members as bare numbers when `bareIds`. */
export const jsonText = (value: unknown, bareIds: boolean): string => {
  const text = JSON.stringify(value)
  return bareIds ? unquoteIds(text) : text
}
