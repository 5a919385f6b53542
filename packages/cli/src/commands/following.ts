import { userListCommand } from "./user-list-command.js"

export const followingCommand = userListCommand(
  "following",
  "the accounts each user follows",
  "Harvests the accounts a user follows, most recent first.",
  [
    { description: "two accounts into NDJSON", command: "tikflow following --username user_00001,user_00002 --out ndjson:./following.ndjson" },
    {
      description: "every account listed in a text file, into Parquet",
      command: "tikflow following --usernames-from ./usernames.txt --out parquet:./following",
      files: { "usernames.txt": "user_00003\nuser_00004\n" }
    }
  ]
)
