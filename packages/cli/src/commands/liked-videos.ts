import { userListCommand } from "./user-list-command.js"

export const likedVideosCommand = userListCommand(
  "liked-videos",
  "the videos each user liked (most accounts keep this private)",
  "Harvests a user's liked videos; private lists become error events and the harvest goes on.",
  [
    { description: "two accounts into NDJSON", command: "tikflow liked-videos --username user_00001,user_00002 --out ndjson:./liked.ndjson" },
    {
      description: "every account listed in a text file, into Parquet",
      command: "tikflow liked-videos --usernames-from ./usernames.txt --out parquet:./liked-videos",
      files: { "usernames.txt": "user_00003\nuser_00004\n" }
    }
  ]
)
