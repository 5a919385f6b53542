import { userListCommand } from "./user-list-command.js"

export const pinnedVideosCommand = userListCommand(
  "pinned-videos",
  "the videos each user pinned",
  "Harvests a user's pinned videos.",
  [
    { description: "two accounts into NDJSON", command: "tikflow pinned-videos --username user_00001,user_00002 --out ndjson:./pinned.ndjson" },
    {
      description: "every account listed in a text file, into Parquet",
      command: "tikflow pinned-videos --usernames-from ./usernames.txt --out parquet:./pinned-videos",
      files: { "usernames.txt": "user_00003\nuser_00004\n" }
    }
  ]
)
