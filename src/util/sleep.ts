// Node's timers overflow past 2^31-1 ms (about 24.8 days) and then fire after 1 ms.
const LONGEST_TIMER_MS = 2_147_483_647

/** Waits, but ends at once (rejecting with the signal's reason) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const until = Date.now() + Math.max(0, ms)
    const arm = (): void => {
      const left = until - Date.now()
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort)
        resolve()
        return
      }
      timer = setTimeout(arm, Math.min(left, LONGEST_TIMER_MS))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (ms <= 0) timer = setTimeout(arm, 0)
    else arm()
  })
}

/** A signal that aborts with `reason` at `epochMs`; its timer never keeps the process alive by itself. */
export function signalAt(epochMs: number, reason: unknown): AbortSignal {
  const controller = new AbortController()
  const fire = (): void => {
    const left = epochMs - Date.now()
    if (left <= 0) controller.abort(reason)
    else setTimeout(fire, Math.min(left, LONGEST_TIMER_MS)).unref()
  }
  fire()
  return controller.signal
}

/**
 * Whether `work` settles (either way) within `ms`; with `stop`, within `stop.afterMs` of its signal
 * aborting too, if that comes first. No timer outlives the wait, so none keeps the process alive.
 */
export async function settledWithin(
  work: Promise<unknown>,
  ms: number,
  stop?: { signal: AbortSignal; afterMs: number },
): Promise<boolean> {
  const done = new AbortController()
  const timeUp = (wait: number): Promise<false> =>
    sleep(Math.max(0, wait), done.signal).then(
      () => false as const,
      () => false as const,
    )
  const waits: Promise<boolean>[] = [
    work.then(
      () => true,
      () => true,
    ),
    timeUp(ms),
  ]
  if (stop) {
    waits.push(
      new Promise<boolean>((resolve) => {
        const onStop = (): void => void timeUp(stop.afterMs).then(resolve)
        if (stop.signal.aborted) onStop()
        else stop.signal.addEventListener('abort', onStop, { once: true, signal: done.signal })
      }),
    )
  }
  try {
    return await Promise.race(waits)
  } finally {
    done.abort()
  }
}
