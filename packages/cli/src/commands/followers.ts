import { userListCommand } from "./user-list-command.js"

export const followersCommand = userListCommand(
  "followers",
  "the accounts following each user",
  "Harvests a user's followers, most recent first (the API stops near 5,000).",
  [
    { description: "two accounts into NDJSON", command: "tikflow followers --username user_00001,user_00002 --out ndjson:./followers.ndjson" },
    {
      description: "every account listed in a text file, into Parquet",
      command: "tikflow followers --usernames-from ./usernames.txt --out parquet:./followers",
      files: { "usernames.txt": "user_00003\nuser_00004\n" }
    }
  ]
)
