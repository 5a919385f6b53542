/** tikflow's version, for `--version` and the runs a harvest's history records. */
export const TIKFLOW_VERSION = "0.1.0"
