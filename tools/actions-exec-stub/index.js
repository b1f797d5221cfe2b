// @actions/core imports exec only for core.platform.getDetails(). release-gate never calls it; if a
// future change does, fail loudly rather than run nothing.
function unavailable() {
  throw new Error('release-gate bundles a stub of @actions/exec: core.platform is not available')
}
export const exec = unavailable
export const getExecOutput = unavailable
