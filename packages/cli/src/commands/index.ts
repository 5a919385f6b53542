import type { Command } from "./command.js"
import { commentsCommand } from "./comments.js"
import { demoCommand } from "./demo.js"
import { followersCommand } from "./followers.js"
import { followingCommand } from "./following.js"
import { likedVideosCommand } from "./liked-videos.js"
import { pinnedVideosCommand } from "./pinned-videos.js"
import { pluginsCommand } from "./plugins.js"
import { quotaCommand } from "./quota.js"
import { replayCommand } from "./replay.js"
import { repostedVideosCommand } from "./reposted-videos.js"
import { reportCommand } from "../report/report-command.js"
import { runCommand } from "./run.js"
import { runsCommand } from "./runs.js"
import { sandboxCommand } from "./sandbox.js"
import { userInfoCommand } from "./user-info.js"
import { videosCommand } from "./videos.js"

/** Every `tikflow` command, in the order `tikflow --help` lists them. */
export const commands: ReadonlyArray<Command> = [
  demoCommand,
  videosCommand,
  userInfoCommand,
  commentsCommand,
  followersCommand,
  followingCommand,
  likedVideosCommand,
  pinnedVideosCommand,
  repostedVideosCommand,
  runCommand,
  runsCommand,
  replayCommand,
  sandboxCommand,
  quotaCommand,
  reportCommand,
  pluginsCommand
]
