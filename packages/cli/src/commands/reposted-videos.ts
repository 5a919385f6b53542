import { userListCommand } from "./user-list-command.js"

export const repostedVideosCommand = userListCommand(
  "reposted-videos",
  "the videos each user reposted",
  "Harvests a user's reposted videos.",
  [
    { description: "two accounts into NDJSON", command: "tikflow reposted-videos --username user_00001,user_00002 --out ndjson:./reposted.ndjson" },
    {
      description: "every account listed in a text file, into Parquet",
      command: "tikflow reposted-videos --usernames-from ./usernames.txt --out parquet:./reposted-videos",
      files: { "usernames.txt": "user_00003\nuser_00004\n" }
    }
  ]
)
