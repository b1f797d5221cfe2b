/**
 * The names under which the main step keeps what its post step needs, in the runner's step state (the post
 * step reads STATE_<name>): the gate's jobs (post-state.ts) and the GitHub deployments left without a final
 * state (github/left-open.ts).
 */
export const STEP_STATE = { gate: 'gate', deployments: 'deployments' } as const
