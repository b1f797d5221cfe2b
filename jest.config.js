/** ESM all the way: @actions/core v3 and friends ship only ESM. Run through `node --experimental-vm-modules`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.cjs' },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60_000,
  // The end-to-end tests mostly wait on child processes and timers: more workers than cores keeps a 2-core machine busy.
  maxWorkers: 4,
  reporters: ['default', '<rootDir>/scripts/jest-closing-line.cjs'],
}
