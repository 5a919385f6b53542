import { userListCommand } from "./user-list-command.js"

export const userInfoCommand = userListCommand(
  "user-info",
  "harvest public account info for usernames (unknown or private accounts become error records)",
  "One request per user. An account the API refuses is still a record, with lookup_error set.",
  [
    { description: "two accounts into NDJSON", command: "tikflow user-info --username user_00001,user_00002 --out ndjson:./users.ndjson" },
    {
      description: "the authors of harvested videos, from the videos table of a DuckDB file",
      command: "tikflow user-info --usernames-from duckdb:./research.duckdb#videos --out duckdb:./research.duckdb"
    }
  ]
)
