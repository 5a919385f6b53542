/** Test-side lossless parse: quotes the bare id numbers the sandbox writes, then JSON.parse. */
const bareId = /"(id|video_id|music_id|playlist_id|parent_comment_id|hashtag_id)":(\d+)/g

export const parseLossless = (text: string): any => JSON.parse(text.replace(bareId, '"$1":"$2"'))
