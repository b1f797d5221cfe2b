import { existsSync } from 'node:fs'
import { BUILDMASTER_PROFILES } from '../../sandbox/buildmaster.js'
import { FOREMAN_PROFILES } from '../../sandbox/foreman.js'

// Each profile's scenarios run from a file of their own, so that jest runs them side by side: a profile
// the sandbox adds needs its file too.
it.each([
  ...BUILDMASTER_PROFILES.map((profile) => `buildmaster-${profile}.test.ts`),
  ...FOREMAN_PROFILES.map((profile) => `foreman-${profile}.test.ts`),
  ...FOREMAN_PROFILES.map((profile) => `../contract/foreman-${profile}.test.ts`),
])('%s runs the scenarios of its sandbox profile', (file) => {
  expect(existsSync(new URL(file, import.meta.url))).toBe(true)
})
