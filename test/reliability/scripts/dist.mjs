// The built packages (dist/) and their dependencies, as the benchmarks load them.
export { dependencyOf, load } from "../../../bench/lib/dist.mjs"
