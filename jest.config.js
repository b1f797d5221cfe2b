/** ESM all the way: @actions/core v3 and friends ship only ESM. Run through `node --experimental-vm-modules`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.cjs' },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60_000,
  // Most test files wait on a sandbox job's clock or on the bundle as a process, using a few percent of a
  // core: many workers let them wait side by side (on 2 cores, 12 workers end the suite in about half
  // the time of 4, with the CPU still not saturated).
  maxWorkers: 12,
  reporters: ['default', '<rootDir>/scripts/jest-closing-line.cjs'],
}
