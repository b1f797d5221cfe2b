// The server's own timing of a run, where it can be believed.
import type { RunTiming } from '../contracts/run.js'

// How far a server's clock may run ahead of ours before its timestamps stop being believed.
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * The server's own timing, where it can be believed. A server clock far ahead of ours (or a hostile answer)
 * would otherwise give a run that lasted thousands of hours: a timestamp in our future, beyond a few minutes'
 * skew, or an end before the start, makes the report fall back to the gate's own clock.
 */
export function plausible(timing: RunTiming, now: number): RunTiming | undefined {
  const { startedAt, endedAt } = timing
  const ahead = (at: number | undefined): boolean => at !== undefined && at > now + CLOCK_SKEW_MS
  if (ahead(startedAt) || ahead(endedAt)) return undefined
  if (startedAt !== undefined && endedAt !== undefined && endedAt < startedAt) return undefined
  return timing
}
