// The sandbox from source (it depends on Node built-ins only), started in the test process while
// harvests run in child processes on the built packages.
export { faultKinds, GroundTruthRefusal, startSandbox } from "../../../packages/sandbox/src/index.js"
export type { FaultKind, FaultOptions, GroundTruth, Sandbox } from "../../../packages/sandbox/src/index.js"
