// The raw archive a harvest keeps (docs/architecture.md, "The raw archive and provenance"): find a
// directory's harvest files and read their archived responses, in delivery order.
export { archiveFileOf, type ArchivedResponse } from "../archive/archive-format.js"
export { archiveFilesIn, readArchiveFile } from "../archive/archive-reader.js"
