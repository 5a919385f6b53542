/**
 * The TikTok Research API's model: its endpoints and fields, `effect/Schema` schemas of records
 * and requests, and the response decoders the sources use (path-named `DecodeError`s, lossless ids).
 */
export { researchEndpoints } from "../schema/research-endpoints.js"
export { FIRST_API_DAY } from "../schema/api-days.js"
export type { ResearchEndpoint as Endpoint } from "../schema/research-endpoints.js"
export { commentApiFields, endpointFields, fieldsParameter, socialUserApiFields, userInfoApiFields, videoApiFields } from "../schema/endpoint-fields.js"
export type { ResearchDataEndpoint as DataEndpoint } from "../schema/endpoint-fields.js"
export { VideoFromWire } from "../schema/video.js"
export { CommentFromWire } from "../schema/comment.js"
export { SocialUserFromWire } from "../schema/social-user.js"
export { WireUserInfo } from "../schema/user-info.js"
export { CommentListRequest, SocialListRequest, UserInfoRequest, VideoQueryRequest } from "../schema/request-bodies.js"
export { decodeVideoQueryResponse, decodeVideoQueryResponseSync, VideoQueryResponse } from "../schema/video-query.js"
export { CommentListResponse, decodeCommentListResponse, decodeCommentListResponseSync } from "../schema/comment-list.js"
export { decodeUserInfoResponse, decodeUserInfoResponseSync, UserInfoResponse } from "../schema/user-info.js"
export { decodeSocialListResponse, decodeSocialListResponseSync, FollowersResponse, FollowingResponse } from "../schema/social-user.js"
export type { SocialRelation } from "../schema/social-user.js"
export {
  decodeUserVideoListResponse,
  decodeUserVideoListResponseSync,
  LikedVideosResponse,
  PinnedVideosResponse,
  RepostedVideosResponse
} from "../schema/user-video-list.js"
export type { UserVideoList } from "../schema/user-video-list.js"
