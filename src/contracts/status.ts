/** One vocabulary for every server; each adapter maps its own states onto it. */
export type Status = 'pending' | 'running' | FinalStatus
export type FinalStatus = 'succeeded' | 'warning' | 'failed' | 'canceled' | 'timed-out'

const SEVERITY: Record<FinalStatus, number> = {
  succeeded: 0,
  warning: 1,
  'timed-out': 2,
  canceled: 3,
  failed: 4,
}

export function isFinal(status: Status): status is FinalStatus {
  return status in SEVERITY
}

/** Worst wins: failed > canceled > timed-out > warning > succeeded. */
export function worstOf(statuses: FinalStatus[]): FinalStatus {
  return statuses.reduce<FinalStatus>(
    (worst, status) => (SEVERITY[status] > SEVERITY[worst] ? status : worst),
    'succeeded',
  )
}

/** When a final status fails the step: on a warning or worse, on an error only, or never. */
export type FailOn = 'warning' | 'error' | 'never'
