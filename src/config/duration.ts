import parse from 'parse-duration'

const UNIT_FORM = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/
const PLAIN_SECONDS = /^\d+(\.\d+)?$/

export const DURATION_FORMS = "a duration like '90s', '15m', '1h30m' or plain seconds like '300'"

/** Milliseconds, or undefined when the text is not a duration we accept. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '')
  if (PLAIN_SECONDS.test(compact)) return Number(compact) * 1000
  if (!UNIT_FORM.test(compact)) return undefined
  const ms = parse(compact)
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const totalSeconds = Math.round(ms / 1000)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('')
}

/** A server's timestamp for people: seconds, no milliseconds, in UTC. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

/** Epoch ms of a server's date-time text, or undefined when it is not one. */
export function parseTimestamp(text: string | undefined): number | undefined {
  if (!text) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}
